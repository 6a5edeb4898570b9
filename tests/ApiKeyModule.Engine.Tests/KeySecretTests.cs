using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class KeySecretTests
    {
        [Fact]
        public void Secrets_are_64_alphanumeric_characters_and_differ()
        {
            var seen = new HashSet<string>();
            for (int i = 0; i < 200; i++)
            {
                string secret = KeySecret.Generate();
                Assert.Matches("^[A-Za-z0-9]{64}$", secret);
                Assert.True(seen.Add(secret));
            }
        }

        [Fact]
        public void Every_character_of_the_alphabet_is_drawn_about_equally()
        {
            var counts = new Dictionary<char, int>();
            for (int i = 0; i < 2000; i++)
            {
                foreach (char c in KeySecret.Generate())
                {
                    counts[c] = counts.TryGetValue(c, out int n) ? n + 1 : 1;
                }
            }
            // 128,000 draws over 62 characters: about 2,065 each. A modulo bias (256 % 62) would give 4 characters ~25% more.
            Assert.Equal(62, counts.Count);
            Assert.All(counts.Values, n => Assert.InRange(n, 1800, 2350));
        }

        [Fact]
        public void Hash_is_sha256_of_the_secret()
        {
            byte[] hash = KeySecret.Hash("abc");
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                string.Concat(hash.Select(b => b.ToString("x2"))));
        }

        [Fact]
        public void Key_is_id_dash_secret()
        {
            Assert.Equal("42-" + new string('a', 64), KeySecret.Format(42, new string('a', 64)));
        }
    }
}
