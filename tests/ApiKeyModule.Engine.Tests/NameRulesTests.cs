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

        [Theory]
        [InlineData(null, "The name is empty", "for example 'backup-server'")]
        [InlineData("", "The name is empty", "for example 'backup-server'")]
        [InlineData("tab\there", "control character", "Use printable characters only")]
        [InlineData(" padded", "starts or ends with white space", "Remove the leading and trailing spaces")]
        [InlineData("padded\u00a0", "starts or ends with white space", "Remove the leading and trailing spaces")]
        [InlineData("\u200bfirst", "format character U+200B", "Remove it")]
        public void Each_refusal_says_what_is_wrong_with_the_name_and_what_to_do(string name, string fault, string remedy)
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate(name));
            Assert.Contains(fault, e.Message);
            Assert.Contains(remedy, e.Message);
        }

        [Theory]
        [InlineData("invoice\u202efdp.exe", "U+202E")]
        [InlineData("zero\u200bwidth", "U+200B")]
        [InlineData("isolate\u2066x", "U+2066")]
        [InlineData("\ufeffbom", "U+FEFF")]
        [InlineData("tag\udb40\udc41", "U+E0041")]
        public void Rejects_format_characters_naming_the_character(string name, string named)
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate(name));
            Assert.Equal("InvalidName", e.ErrorId);
            Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
            Assert.Contains("format character " + named, e.Message);
            Assert.Equal(SafeText.Escape(name), e.Target);
        }

        [Fact]
        public void The_target_of_the_error_shows_control_characters_escaped()
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate("a\u001b]0;pwned\u0007"));
            Assert.Equal("a\u241b]0;pwned\u2407", e.Target);
        }

        [Fact]
        public void Rejects_201_characters()
        {
            var e = Assert.Throws<ApiKeyException>(() => NameRules.Validate(new string('x', 201)));
            Assert.Contains("201", e.Message);
        }
    }
}
