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

        [Fact]
        public void The_hash_is_SHA_256_of_the_secret_as_the_platform_computes_it_for_every_length()
        {
            var random = new System.Random(7);
            using (var platform = System.Security.Cryptography.SHA256.Create())
            {
                // Every length up to three blocks, the padding boundaries (55, 56, 63, 64, 119, 120) among them.
                for (int length = 0; length <= 192; length++)
                {
                    for (int sample = 0; sample < 20; sample++)
                    {
                        var chars = new char[length];
                        for (int i = 0; i < length; i++)
                        {
                            chars[i] = (char)random.Next(0, 128);
                        }
                        string text = "pre" + new string(chars) + "post";
                        byte[] expected = platform.ComputeHash(System.Text.Encoding.ASCII.GetBytes(new string(chars)));
                        Assert.Equal(expected, Sha256.HashAscii(text, 3, length));
                    }
                }
            }
            // FIPS 180-4's examples.
            Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", Hex(KeySecret.Hash("abc")));
            Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Hex(KeySecret.Hash("")));
            Assert.Equal("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", Hex(KeySecret.Hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")));
        }

        private static string Hex(byte[] bytes) => string.Concat(bytes.Select(b => b.ToString("x2")));
    }
}