using Xunit;

namespace ApiKeyModule.Tests
{
    public class PresentedKeyTests
    {
        private static readonly string Secret = new string('a', 32) + new string('Z', 16) + new string('7', 16);

        [Theory]
        [InlineData("12-{0}")]
        [InlineData("  12-{0}  ")]
        [InlineData("\t12-{0}\r\n")]
        public void Accepts_id_dash_64_characters_with_white_space_around(string format)
        {
            Assert.True(PresentedKey.TryParse(string.Format(format, Secret), out int id, out string secret));
            Assert.Equal(12, id);
            Assert.Equal(Secret, secret);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("nodash")]
        [InlineData("-SECRET")]
        [InlineData("0-SECRET")]
        [InlineData("-1-SECRET")]
        [InlineData("+1-SECRET")]
        [InlineData("x1-SECRET")]
        [InlineData("1.5-SECRET")]
        [InlineData("99999999999-SECRET")]
        [InlineData("1-SECRETx")]
        [InlineData("1-SECRET-")]
        [InlineData("1-' OR 1=1 --")]
        [InlineData("١-SECRET")]
        public void Rejects_everything_else(string text)
        {
            text = text?.Replace("SECRET", Secret);
            Assert.False(PresentedKey.TryParse(text, out _, out _));
        }

        [Fact]
        public void Rejects_63_and_65_characters_and_non_ascii()
        {
            Assert.False(PresentedKey.TryParse("1-" + Secret.Substring(1), out _, out _));
            Assert.False(PresentedKey.TryParse("1-" + Secret + "a", out _, out _));
            Assert.False(PresentedKey.TryParse("1-" + Secret.Substring(1) + "é", out _, out _));
        }
    }
}
