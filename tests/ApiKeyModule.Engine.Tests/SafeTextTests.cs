using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class SafeTextTests
    {
        [Theory]
        [InlineData("\u001b]0;pwned\u0007", "\u241b]0;pwned\u2407")]
        [InlineData("\u001b[31mred\u001b[0m", "\u241b[31mred\u241b[0m")]
        [InlineData("/pool\nAction : Delete", "/pool\u240aAction : Delete")]
        [InlineData("a\r\nb\tc\0d", "a\u240d\u240ab\u2409c\u2400d")]
        [InlineData("\u001f", "\u241f")]
        [InlineData("del\u007f", "del\u2421")]
        public void C0_controls_and_DEL_become_control_pictures(string text, string expected) =>
            Assert.Equal(expected, SafeText.Escape(text));

        [Theory]
        [InlineData("\u0080", "\\u0080")]
        [InlineData("csi\u009b31m", "csi\\u009B31m")]
        [InlineData("nel\u0085", "nel\\u0085")]
        [InlineData("a\u2028b\u2029c", "a\\u2028b\\u2029c")]
        [InlineData("invoice\u202efdp.exe", "invoice\\u202Efdp.exe")]
        [InlineData("zero\u200bwidth\u200d", "zero\\u200Bwidth\\u200D")]
        [InlineData("\ufeffbom", "\\uFEFFbom")]
        [InlineData("isolate\u2066x\u2069", "isolate\\u2066x\\u2069")]
        [InlineData("soft\u00adhyphen", "soft\\u00ADhyphen")]
        public void C1_controls_separators_and_format_characters_become_backslash_u(string text, string expected) =>
            Assert.Equal(expected, SafeText.Escape(text));

        [Fact]
        public void Format_characters_beyond_the_BMP_and_lone_surrogates_are_escaped()
        {
            // U+E0041 TAG LATIN CAPITAL LETTER A: invisible, and used to smuggle text.
            Assert.Equal("a\\U000E0041b", SafeText.Escape("a" + char.ConvertFromUtf32(0xE0041) + "b"));
            Assert.Equal("x\\uD800y", SafeText.Escape("x\ud800y"));
            Assert.Equal("x\\uDC00", SafeText.Escape("x\udc00"));
        }

        [Theory]
        [InlineData("")]
        [InlineData("GET /pool")]
        [InlineData("laptop lost; ticket #42")]
        [InlineData("réseau 日本 ключ")]
        [InlineData("key 🔑 emoji")]
        [InlineData("\\u202E is only text")]
        public void Plain_text_is_left_as_it_is(string text) => Assert.Same(text, SafeText.Escape(text));

        [Fact]
        public void Null_stays_null() => Assert.Null(SafeText.Escape(null));

        [Fact]
        public void Escaping_is_idempotent()
        {
            string all = new string(Enumerable.Range(0, 0x2100).Select(i => (char)i).ToArray()) + "\ufeff\ud800" + char.ConvertFromUtf32(0xE0041);
            string once = SafeText.Escape(all);
            Assert.Equal(once, SafeText.Escape(once));
            Assert.DoesNotContain(once, c => char.IsControl(c) || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c) ||
                                             char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format);
        }

        [Fact]
        public void A_request_of_256_characters_is_logged_whole()
        {
            string resource = new string('r', SafeText.MaxRequestLength - "GET ".Length);
            Assert.Equal("GET " + resource, SafeText.Request("GET", resource));
        }

        [Fact]
        public void A_longer_request_is_cut_to_256_characters_saying_how_many_were_left_out()
        {
            string request = SafeText.Request("GET", new string('r', 1024 * 1024));
            Assert.StartsWith("GET " + new string('r', 252) + "...[", request);
            Assert.EndsWith("[1048324 more characters not logged]", request);
            Assert.True(request.Length < SafeText.MaxRequestLength + 50);
        }

        [Fact]
        public void A_request_is_cut_before_it_is_escaped_and_never_inside_a_surrogate_pair()
        {
            string escaped = SafeText.Request("GET", new string('\u001b', 300));
            Assert.Equal("GET " + new string('\u241b', 252) + "...[48 more characters not logged]", escaped);
            string emoji = SafeText.Request("GET", new string('r', 251) + "🔑🔑");
            Assert.Equal("GET " + new string('r', 251) + "...[4 more characters not logged]", emoji);
        }

        [Theory]
        [InlineData("abc", 3, "abc")]
        [InlineData("abc", 0, "...[3 more characters not logged]")]
        [InlineData("ab\ud83d\udd11", 3, "ab...[2 more characters not logged]")]
        [InlineData("ab\ud83d\udd11c", 4, "ab\ud83d\udd11...[1 more characters not logged]")]
        [InlineData("a\ud83d\udd11\ud83d\udd11", 2, "a...[4 more characters not logged]")]
        public void A_cut_keeps_at_most_the_first_characters_never_half_a_pair_and_says_how_many_it_left_out(string text, int max, string cut)
        {
            Assert.Equal(cut, SafeText.Cut(text, max));
        }

        [Fact]
        public void A_request_without_a_resource_is_logged_as_its_method() => Assert.Equal("GET ", SafeText.Request("GET", null));

        [Fact]
        public void Finds_the_first_format_character_as_a_code_point()
        {
            Assert.False(SafeText.TryFindFormatCharacter("plain 🔑 text\ttab", out _));
            Assert.True(SafeText.TryFindFormatCharacter("invoice\u202efdp\u200b.exe", out int bidi));
            Assert.Equal(0x202E, bidi);
            Assert.True(SafeText.TryFindFormatCharacter("a" + char.ConvertFromUtf32(0xE0041), out int tag));
            Assert.Equal(0xE0041, tag);
            Assert.True(SafeText.TryFindFormatCharacter("\u200bfirst", out int first));
            Assert.Equal(0x200B, first);
            Assert.Equal("U+202E", SafeText.Name(0x202E));
            Assert.Equal("U+E0041", SafeText.Name(0xE0041));
        }
    }
}
