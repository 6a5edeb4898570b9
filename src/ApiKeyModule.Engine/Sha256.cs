using System;

namespace ApiKeyModule
{
    /// <summary>
    /// SHA-256 (FIPS 180-4) of a short ASCII text, in managed code. The platform's SHA-256 on Linux is OpenSSL's, and
    /// OpenSSL 3.0 makes every digest update a reference count and take a read lock shared by all threads
    /// (openssl/openssl#17064): the threads of a verifier hashing presented keys would take turns. A key's secret is 64
    /// characters, two compression blocks; this hashes it in a few hundred nanoseconds on any number of threads at once.
    /// Tests check it against the platform's SHA-256 for every length up to three blocks.
    /// </summary>
    internal static class Sha256
    {
        private static readonly uint[] K =
        {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        };

        /// <summary>The hash of the characters [start, start + length) of the text, each taken as one byte (ASCII).</summary>
        public static byte[] HashAscii(string text, int start, int length)
        {
            // The message, its 0x80 end marker, zeros, and its length in bits, in whole 64-byte blocks.
            int blocks = (length + 8) / 64 + 1;
            Span<byte> message = blocks <= 4 ? stackalloc byte[blocks * 64] : new byte[blocks * 64];
            for (int i = 0; i < length; i++)
            {
                message[i] = (byte)text[start + i];
            }
            message[length] = 0x80;
            ulong bits = (ulong)length * 8;
            for (int i = 0; i < 8; i++)
            {
                message[message.Length - 1 - i] = (byte)(bits >> (8 * i));
            }
            Span<uint> state = stackalloc uint[] { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
            Span<uint> w = stackalloc uint[64];
            for (int block = 0; block < blocks; block++)
            {
                Compress(state, w, message.Slice(block * 64, 64));
            }
            var hash = new byte[32];
            for (int i = 0; i < 8; i++)
            {
                hash[4 * i] = (byte)(state[i] >> 24);
                hash[4 * i + 1] = (byte)(state[i] >> 16);
                hash[4 * i + 2] = (byte)(state[i] >> 8);
                hash[4 * i + 3] = (byte)state[i];
            }
            return hash;
        }

        private static void Compress(Span<uint> state, Span<uint> w, ReadOnlySpan<byte> block)
        {
            for (int t = 0; t < 16; t++)
            {
                w[t] = (uint)(block[4 * t] << 24 | block[4 * t + 1] << 16 | block[4 * t + 2] << 8 | block[4 * t + 3]);
            }
            for (int t = 16; t < 64; t++)
            {
                uint s0 = Rotate(w[t - 15], 7) ^ Rotate(w[t - 15], 18) ^ (w[t - 15] >> 3);
                uint s1 = Rotate(w[t - 2], 17) ^ Rotate(w[t - 2], 19) ^ (w[t - 2] >> 10);
                w[t] = w[t - 16] + s0 + w[t - 7] + s1;
            }
            uint a = state[0], b = state[1], c = state[2], d = state[3], e = state[4], f = state[5], g = state[6], h = state[7];
            for (int t = 0; t < 64; t++)
            {
                uint t1 = h + (Rotate(e, 6) ^ Rotate(e, 11) ^ Rotate(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
                uint t2 = (Rotate(a, 2) ^ Rotate(a, 13) ^ Rotate(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
                h = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }
            state[0] += a;
            state[1] += b;
            state[2] += c;
            state[3] += d;
            state[4] += e;
            state[5] += f;
            state[6] += g;
            state[7] += h;
        }

        private static uint Rotate(uint x, int n) => (x >> n) | (x << (32 - n));
    }
}
