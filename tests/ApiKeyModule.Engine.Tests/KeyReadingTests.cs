using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>How keys are read: listing by a name prefix, and allowlists parsed once per distinct text, for a bounded number of texts.</summary>
    public class KeyReadingTests
    {
        [Fact]
        public void No_prefix_or_an_empty_one_lists_every_key()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("alpha", new AllowlistEntry[0]);
                store.Create("beta", new AllowlistEntry[0]);
                Assert.Equal(new[] { "alpha", "beta" }, store.ListByNamePrefix(null).Select(k => k.Name));
                Assert.Equal(new[] { "alpha", "beta" }, store.ListByNamePrefix("").Select(k => k.Name));
            }
        }

        [SqliteOnlyFact("rows written straight into the file")]
        public void Keys_read_together_share_each_of_the_first_1024_distinct_allowlists_and_no_later_one()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                // Allowlists /p0 to /p1024 (1025 distinct texts), then a key with the 1024th again and one with the 1025th.
                int first = store.Create("k0", new[] { AllowlistEntry.Create("GET", "/p0") }).Id;
                temp.Sql(
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1026) " +
                    "INSERT INTO api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm) " +
                    "SELECT 'k' || i, 'k' || i, k.created_at, 'GET /p' || CASE i WHEN 1025 THEN 1023 WHEN 1026 THEN 1024 ELSE i END, k.key_hash, k.hash_algorithm " +
                    "FROM n, api_keys k WHERE k.id = @id ORDER BY i",
                    ("id", first));
                List<ApiKey> keys = store.List().ToList();
                Assert.Equal(1027, keys.Count);
                Assert.Equal(("/p1023", "/p1023"), (keys[1023].Allowlist.Single().Resource, keys[1025].Allowlist.Single().Resource));
                Assert.Same(keys[1023].Allowlist, keys[1025].Allowlist);
                Assert.Equal(("/p1024", "/p1024"), (keys[1024].Allowlist.Single().Resource, keys[1026].Allowlist.Single().Resource));
                Assert.NotSame(keys[1024].Allowlist, keys[1026].Allowlist);
            }
        }
    }
}
