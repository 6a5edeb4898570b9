using Xunit;

namespace ApiKeyModule.Tests
{
    public class AllowlistColumnTests
    {
        [Fact]
        public void An_allowlist_is_shown_as_its_entries_separated_by_commas_or_as_none()
        {
            Assert.Equal("(none)", AllowlistColumn.Show(ApiKeyAllowlist.Empty));
            Assert.Equal("CALL system.info, GET /pool", AllowlistColumn.Show(new[] { AllowlistEntry.Create("CALL", "system.info"), AllowlistEntry.Create("GET", "/pool") }));
        }

        [Fact]
        public void A_column_reads_back_as_the_allowlist_written_a_resource_keeping_its_spaces()
        {
            var allowlist = new[] { AllowlistEntry.Create("*", "pool.*"), AllowlistEntry.Create("GET", "/a b") };
            Assert.Equal(allowlist, AllowlistColumn.Read(AllowlistColumn.Write(allowlist)));
            Assert.Empty(AllowlistColumn.Read(AllowlistColumn.Write(ApiKeyAllowlist.Empty)));
        }

        [Theory]
        [InlineData("GET", "GET")]
        [InlineData(" /pool", " /pool")]
        [InlineData("GET /pool\nCALL", "CALL")]
        public void A_line_without_a_method_and_a_resource_is_a_damaged_store_to_restore_from_a_backup(string column, string line)
        {
            var e = Assert.Throws<ApiKeyException>(() => AllowlistColumn.Read(column));
            Assert.Equal(ErrorIds.StoreCorrupt, e.ErrorId);
            Assert.Equal(ApiKeyErrorCategory.InvalidData, e.Category);
            Assert.Equal($"An allowlist in the store is damaged (line '{line}'). Restore the store from a backup.", e.Message);
        }
    }
}
