using System;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class KeySpecTests
    {
        private static ApiKey Key(params AllowlistEntry[] allowlist) =>
            new ApiKey { Id = 1, Name = "k", CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), Allowlist = allowlist };

        [Theory]
        [InlineData("allowlist: [{method: GET, resource: /pool}, {method: CALL, resource: system.info}]", false)]
        [InlineData("allowlist: [{method: GET, resource: /pool}, {method: CALL, resource: system.disk}]", true)]
        [InlineData("allowlist: [{method: CALL, resource: system.info}, {method: GET, resource: /pool}]", true)]
        [InlineData("allowlist: [{method: GET, resource: /pool}]", true)]
        public void An_allowlist_of_as_many_entries_is_a_change_when_any_entry_or_the_order_differs(string document, bool changed)
        {
            ApiKey key = Key(AllowlistEntry.Create("GET", "/pool"), AllowlistEntry.Create("CALL", "system.info"));
            KeySpec spec = KeyDocument.Parse(document, forExistingKey: true);
            ApiKeyChanges changes = spec.ChangesFrom(key);
            Assert.Equal(changed ? spec.Allowlist : null, changes.Allowlist);
        }
    }
}
