using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using ApiKeyModule;
using Microsoft.Data.Sqlite;

/// <summary>
/// Keys whose secrets are known: a secret is a function of the id (splitmix64), so any sample can be rebuilt. Stores of
/// such keys are made directly (ids 1..n, names k1..kn), far faster than through the engine.
/// </summary>
internal static class KnownKeys
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const ulong SecretSeed = 0x5EC12E7A11CE5EEDUL;
    private const int SampleSeed = 20240611;

    public static string Secret(int id)
    {
        ulong state = SecretSeed ^ ((ulong)id * 0x9E3779B97F4A7C15UL);
        var chars = new char[64];
        for (int i = 0; i < chars.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            ulong z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            chars[i] = Alphabet[(int)(z % (ulong)Alphabet.Length)];
        }
        return new string(chars);
    }

    public static string Key(int id) => id.ToString(CultureInfo.InvariantCulture) + "-" + Secret(id);

    /// <summary>As the module stores it: SHA-256 of the ASCII secret.</summary>
    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>The ids 1..<paramref name="max"/> in a fixed random order.</summary>
    public static int[] Shuffled(int max)
    {
        int[] ids = Enumerable.Range(1, max).ToArray();
        new Random(SampleSeed).Shuffle(ids);
        return ids;
    }

    /// <summary>Distinct ids of the store in a fixed random order; [offset, offset + n) of it.</summary>
    public static int[] Sample(string path, int offset, int n)
    {
        int max = SqliteHarness.MaxId(path);
        if (offset + n > max)
        {
            throw new ArgumentException($"the store has {max} keys; asked for {offset + n}");
        }
        return Shuffled(max).Skip(offset).Take(n).ToArray();
    }

    /// <summary>Writes the keys of <see cref="Sample"/> to a file, one a line.</summary>
    public static void Write(string path, int offset, int n, string file, Dictionary<string, object> result)
    {
        File.WriteAllLines(file, Sample(path, offset, n).Select(id => Key(id)));
        result["written"] = n;
    }

    /// <summary>Bulk-inserts n valid keys (ids 1..n, names k1..kn) in one transaction into a new SQLite store.</summary>
    public static void Populate(string path, int n, Dictionary<string, object> result)
    {
        Stopwatch watch = Stopwatch.StartNew();
        // The engine creates the store as the module does: file modes, WAL, schema, user_version.
        ApiKeyStore.Open(path).Dispose();
        SqliteConnection.ClearAllPools();
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        {
            SqliteHarness.Execute(connection, "PRAGMA cache_size = -262144");
            int existing = Convert.ToInt32(SqliteHarness.Scalar(connection, "SELECT count(*) FROM api_keys"), CultureInfo.InvariantCulture);
            if (existing != 0)
            {
                throw new InvalidOperationException("populate needs an empty store; " + path + " has " + existing + " keys");
            }
            long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using (SqliteTransaction transaction = connection.BeginTransaction())
            using (SqliteCommand insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText = "INSERT INTO api_keys (id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm) " +
                                     "VALUES ($id, $name, $folded, $created, 'CALL system.info', $hash, 'sha256')";
                SqliteParameter id = insert.Parameters.Add("$id", SqliteType.Integer);
                SqliteParameter name = insert.Parameters.Add("$name", SqliteType.Text);
                SqliteParameter folded = insert.Parameters.Add("$folded", SqliteType.Text);
                insert.Parameters.AddWithValue("$created", now);
                SqliteParameter hash = insert.Parameters.Add("$hash", SqliteType.Blob);
                for (int i = 1; i <= n; i++)
                {
                    string text = "k" + i.ToString(CultureInfo.InvariantCulture);
                    id.Value = i;
                    name.Value = text;
                    folded.Value = text.ToUpperInvariant();
                    hash.Value = Hash(Secret(i));
                    insert.ExecuteNonQuery();
                }
                transaction.Commit();
            }
            SqliteHarness.Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        result["n"] = n;
        result["seconds"] = watch.Elapsed.TotalSeconds;
        result["bytes"] = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
    }
}
