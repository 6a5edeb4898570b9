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
        public void The_id_may_be_as_large_as_a_32_bit_id_and_no_larger()
        {
            Assert.True(PresentedKey.TryParse("2147483647-" + Secret, out int id, out _));
            Assert.Equal(int.MaxValue, id);
            Assert.False(PresentedKey.TryParse("2147483648-" + Secret, out _, out _));
        }

        [Fact]
        public void Rejects_text_longer_than_any_key_however_it_ends()
        {
            // Leading zeros would still parse as id 12: the length alone must refuse it.
            Assert.False(PresentedKey.TryParse(new string('0', 10_000_000) + "12-" + Secret, out _, out _));
            Assert.False(PresentedKey.TryParse(new string(' ', 10_000_000) + "12-" + Secret, out _, out _));
        }

        [Fact]
        public void Takes_white_space_around_a_key_up_to_256_characters_in_all()
        {
            string key = "12-" + Secret;
            string padding = new string(' ', PresentedKey.MaxLength - key.Length);
            Assert.Equal(256, PresentedKey.MaxLength);
            Assert.True(PresentedKey.TryParse(padding + key, out int id, out _));
            Assert.Equal(12, id);
            Assert.False(PresentedKey.TryParse(" " + padding + key, out _, out _));
            Assert.True(PresentedKey.TryParse(new string('0', PresentedKey.MaxLength - key.Length) + key, out id, out _));
            Assert.Equal(12, id);
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
