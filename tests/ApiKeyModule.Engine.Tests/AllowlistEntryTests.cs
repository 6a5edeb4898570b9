using Xunit;

namespace ApiKeyModule.Tests
{
    public class AllowlistEntryTests
    {
        [Theory]
        [InlineData("pool.?", "pool.x", false)]
        [InlineData("pool.?", "pool.?", true)]
        [InlineData("[ab]", "a", false)]
        [InlineData("[ab]", "[ab]", true)]
        [InlineData("pool.[ab]*", "pool.a1", true)]
        [InlineData("pool.[ab]*", "pool.c1", false)]
        public void A_resource_without_a_star_is_matched_exactly_and_one_with_a_star_as_a_pattern(string entryResource, string resource, bool allowed)
        {
            Assert.Equal(allowed, AllowlistEntry.Create("CALL", entryResource).Allows("CALL", resource));
        }

        [Theory]
        [InlineData("GET", "/pool", true)]
        [InlineData("GET", "/Pool", false)]
        [InlineData("PUT", "/pool", false)]
        [InlineData("PUT", "/disk", false)]
        public void Entries_are_equal_only_with_the_same_method_and_the_same_resource(string method, string resource, bool equal)
        {
            AllowlistEntry entry = AllowlistEntry.Create("GET", "/pool"), other = AllowlistEntry.Create(method, resource);
            Assert.Equal(equal, entry.Equals(other));
            Assert.Equal(equal, entry.Equals((object)other));
        }

        [Fact]
        public void An_entry_is_not_equal_to_null()
        {
            Assert.False(AllowlistEntry.Create("GET", "/pool").Equals(null));
            Assert.False(AllowlistEntry.Create("GET", "/pool").Equals((object)null));
        }
    }
}
