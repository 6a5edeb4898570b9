using Xunit;

namespace ApiKeyModule.Tests
{
    public class ApiKeyAllowlistTests
    {
        [Fact]
        public void Json_escapes_quotes_backslashes_control_characters_and_delete_so_even_a_damaged_entry_gives_valid_json()
        {
            // Entries read from a store are not validated again, so the JSON cannot count on clean resources.
            var allowlist = new ApiKeyAllowlist(new[] { new AllowlistEntry("GET", "a\u0000\u001f \u007f\"\\\u00e9b") });
            Assert.Equal("[{\"method\":\"GET\",\"resource\":\"a\\u0000\\u001f \\u007f\\\"\\\\\u00e9b\"}]", allowlist.ToJson());
        }

        [Fact]
        public void Json_of_entries_reads_back_as_the_allowlist()
        {
            var allowlist = new ApiKeyAllowlist(new[] { AllowlistEntry.Create("CALL", "system.info"), AllowlistEntry.Create("*", "pool.*") });
            Assert.Equal("[{\"method\":\"CALL\",\"resource\":\"system.info\"},{\"method\":\"*\",\"resource\":\"pool.*\"}]", allowlist.ToString());
            Assert.Equal(allowlist, AllowlistDocument.Parse(allowlist.ToJson()));
        }
    }
}
