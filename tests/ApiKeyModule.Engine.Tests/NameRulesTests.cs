using Xunit;

namespace ApiKeyModule.Tests
{
    public class NameRulesTests
    {
        [Theory]
        [InlineData("backup")]
        [InlineData("my key")]
        [InlineData("é-ñ-日本")]
        [InlineData("a")]
        public void Accepts_good_names(string name) => Assert.Equal(name, NameRules.Validate(name));

        [Fact]
        public void Accepts_200_characters_and_counts_surrogate_pairs_once()
        {
            NameRules.Validate(new string('x', 200));
            NameRules.Validate(string.Concat(System.Linq.Enumerable.Repeat("😀", 200)));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData(" ")]
        [InlineData(" padded")]
        [InlineData("padded ")]
        [InlineData("tab\there")]
        [InlineData("line\nbreak")]
        [InlineData("nul\0")]
        [InlineData("sep\u2028")]
        public void Rejects_bad_names(string name)
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate(name));
            Assert.Equal("InvalidName", e.ErrorId);
            Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
        }

        [Fact]
        public void Rejects_201_characters()
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate(new string('x', 201)));
            Assert.Contains("201", e.Message);
        }
    }
}
