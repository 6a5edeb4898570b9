using Xunit;

namespace ApiKeyModule.Tests
{
    public class ReasonRulesTests
    {
        [Theory]
        [InlineData("laptop lost", "laptop lost")]
        [InlineData("hidden\u001b[8msecret", "hidden\u241b[8msecret")]
        [InlineData("line\nDelete", "line\u240aDelete")]
        [InlineData("c1\u009b", "c1\\u009B")]
        public void Control_characters_are_kept_escaped(string reason, string stored) => Assert.Equal(stored, ReasonRules.Validate(reason));

        [Fact]
        public void Null_means_no_reason() => Assert.Null(ReasonRules.Validate(null));

        [Fact]
        public void Accepts_500_characters_counting_surrogate_pairs_once()
        {
            ReasonRules.Validate(new string('r', ReasonRules.MaxLength));
            ReasonRules.Validate(string.Concat(System.Linq.Enumerable.Repeat("🔑", ReasonRules.MaxLength)));
        }

        [Fact]
        public void Refuses_501_characters_saying_the_limit()
        {
            var e = Assert.Throws<ApiKeyException>(() => ReasonRules.Validate(new string('r', 501)));
            Assert.Equal("InvalidReason", e.ErrorId);
            Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
            Assert.Contains("501 characters; the limit is 500", e.Message);
            Assert.Contains("for example a ticket number", e.Message);
        }

        [Theory]
        [InlineData("invoice\u202efdp.exe", "U+202E")]
        [InlineData("zero\u200bwidth", "U+200B")]
        [InlineData("\ufeffbom", "U+FEFF")]
        public void Refuses_format_characters_naming_them(string reason, string named)
        {
            var e = Assert.Throws<ApiKeyException>(() => ReasonRules.Validate(reason));
            Assert.Equal("InvalidReason", e.ErrorId);
            Assert.Contains("format character " + named, e.Message);
            Assert.Contains("Remove it.", e.Message);
            Assert.DoesNotContain(reason, e.Message);
        }
    }
}
