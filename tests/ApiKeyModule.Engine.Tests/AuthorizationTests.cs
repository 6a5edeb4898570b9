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
    }
}
