using System;
using System.Globalization;
using System.Security.Cryptography;

namespace ApiKeyModule
{
    /// <summary>Generation and hashing of the secret part of a key.</summary>
    internal static class KeySecret
    {
        public const int Length = 64;
        public const string HashAlgorithm = "sha256";
        private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        // 248 = 4 * 62: bytes at or above it are redrawn so every character is equally likely.
        private const int Unbiased = 248;

        public static string Generate()
        {
            var chars = new char[Length];
            // Stryker disable once Arithmetic : the size only sets how many bytes one call draws; the loop draws until every character is filled.
            var buffer = new byte[Length * 2];
            using (var rng = RandomNumberGenerator.Create())
            {
                int filled = 0;
                while (filled < Length)
                {
                    rng.GetBytes(buffer);
                    foreach (byte b in buffer)
                    {
                        if (b < Unbiased && filled < Length)
                        {
                            chars[filled++] = Alphabet[b % Alphabet.Length];
                        }
                    }
                }
            }
            return new string(chars);
        }

        /// <summary>NIST SP 800-63B: a key of ~381 random bits needs a one-way hash, not a slow password hash.</summary>
        public static byte[] Hash(string secret) => Sha256.HashAscii(secret, 0, secret.Length);

        /// <summary>The hash of the secret at <paramref name="start"/> in a presented key (see <see cref="PresentedKey"/>).</summary>
        public static byte[] Hash(string presentedKey, int start) => Sha256.HashAscii(presentedKey, start, Length);

        public static string Format(int id, string secret) => id.ToString(CultureInfo.InvariantCulture) + "-" + secret;
    }
}
