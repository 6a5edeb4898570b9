using Xunit;

namespace ApiKeyModule.Tests
{
    public class AuthorizationTests
    {
        // TrueNAS's own cases (middleware tests of utils/allowlist.py).
        [Theory]
        [InlineData("CALL", "system.*", "CALL", "system.info", true)]
        [InlineData("CALL", "system.*", "CALL", "disk.info", false)]
        [InlineData("CALL", "disk.*_info", "CALL", "disk.ssd_info", true)]
        [InlineData("CALL", "disk.*_info", "CALL", "disk.info", false)]
        [InlineData("CALL", "disk.*_info", "CALL", "disk.ssd_information", false)]
        [InlineData("CALL", "system.info", "CALL", "system.info", true)]
        [InlineData("CALL", "system.info", "CALL", "system.information", false)]
        [InlineData("*", "system.info", "SUBSCRIBE", "system.info", true)]
        [InlineData("GET", "/pool", "POST", "/pool", false)]
        [InlineData("GET", "/pool", "get", "/pool", true)]
        [InlineData("GET", "*", "GET", "/anything/at/all", true)]
        [InlineData("GET", "/pool/*", "GET", "/pool/dataset/child", true)]
        [InlineData("CALL", "System.info", "CALL", "system.info", false)]
        // fnmatch's '*' matches any characters, '.' and '/' among them: a pattern does not stop at a dot.
        [InlineData("CALL", "pool.*", "CALL", "pool.dataset.query", true)]
        [InlineData("CALL", "*", "CALL", "system.info", true)]
        [InlineData("CALL", "*.query", "CALL", "pool.dataset.query", true)]
        [InlineData("CALL", "pool.*.query", "CALL", "pool.dataset.snapshot.query", true)]
        [InlineData("CALL", "pool.*", "CALL", "poolx.dataset", false)]
        public void Entry_allows_as_truenas_does(string method, string resource, string requestMethod, string requestResource, bool allowed)
        {
            Assert.Equal(allowed, AllowlistEntry.Create(method, resource).Allows(requestMethod, requestResource));
        }

        [Theory]
        [InlineData("a*", "abc", true)]
        [InlineData("*", "", true)]
        [InlineData("a*c", "ac", true)]
        [InlineData("a*c", "abd", false)]
        [InlineData("a?c*", "abcd", true)]
        [InlineData("a?c*", "ac", false)]
        [InlineData("[ab]x*", "bx", true)]
        [InlineData("[!ab]x*", "bx", false)]
        [InlineData("[!ab]x*", "cx", true)]
        [InlineData("[a-c]*", "b1", true)]
        [InlineData("[a-c]*", "d1", false)]
        [InlineData("[]]*", "]z", true)]
        [InlineData("[x*", "[xyz", true)]
        [InlineData("*.*.*", "a.b", false)]
        [InlineData("*", "a.b.c", true)]
        [InlineData("a.*", "a.b.c", true)]
        [InlineData("*c", "a.b/c", true)]
        [InlineData("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false)]
        public void Fnmatch_follows_python(string pattern, string text, bool matched)
        {
            Assert.Equal(matched, Fnmatch.IsMatch(text, pattern));
        }

        [Theory]
        [InlineData("ab", "zzab")]
        [InlineData("ab", "abz")]
        [InlineData("a?", "zab")]
        public void A_pattern_without_a_star_matches_the_whole_text_and_not_its_end_or_start(string pattern, string text)
        {
            Assert.False(Fnmatch.IsMatch(text, pattern));
            Assert.True(Fnmatch.IsMatch(pattern.Replace('?', 'b'), pattern));
        }

        [Theory]
        [InlineData("a[")]
        [InlineData("[")]
        [InlineData("a[!")]
        [InlineData("a[]")]
        public void A_bracket_without_its_closing_bracket_is_a_literal_even_at_the_end_of_the_pattern(string pattern)
        {
            Assert.True(Fnmatch.IsMatch(pattern, pattern));
        }

        [Theory]
        [InlineData("[!a]", "!", true)]
        [InlineData("[!a]", "a", false)]
        [InlineData("[!]]", "a", true)]
        [InlineData("[!]]", "]", false)]
        [InlineData("[ab]", "]", false)]
        [InlineData("[ab]", "[", false)]
        public void A_class_is_what_stands_between_its_brackets_and_a_leading_bang_negates_it(string pattern, string text, bool matched)
        {
            Assert.Equal(matched, Fnmatch.IsMatch(text, pattern));
        }

        [Theory]
        [InlineData("[a-c]", "a", true)]
        [InlineData("[a-c]", "c", true)]
        [InlineData("[a-c]", "-", false)]
        [InlineData("[a-]", "-", true)]
        [InlineData("[-a]", "-", true)]
        [InlineData("[z-a]", "m", false)]
        [InlineData("[a-cb-d]", "b", true)]
        [InlineData("[aa]", "a", true)]
        [InlineData("[!a-c]", "c", false)]
        public void A_range_includes_its_ends_a_dash_at_an_end_of_the_class_is_a_member_and_members_may_repeat(string pattern, string text, bool matched)
        {
            Assert.Equal(matched, Fnmatch.IsMatch(text, pattern));
        }
    }
}
