using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using ApiKeyModule;
using Microsoft.Data.Sqlite;
using SQLitePCL;

/// <summary>
/// P4: the engine's verifications per second (first use, cache misses and hits, with authorization, on two threads, a
/// wrong secret), its parts (hashing, the lookup, PRAGMA data_version, the write of a first use), and the PBKDF2 floor.
/// </summary>
internal static class VerifyBench
{
    public static void Verify(string path, int offset, int n, int pbkdf2Count, Dictionary<string, object> result)
    {
        int[] ids = KnownKeys.Sample(path, offset, n);
        string[] keys = ids.Select(KnownKeys.Key).ToArray();
        result["n"] = n;

        // Part: SHA-256 of the secret alone (pass 0 of each loop warms up: JIT).
        Stopwatch watch = new Stopwatch();
        int sink = 0;
        for (int pass = 0; pass < 6; pass++)
        {
            if (pass == 1)
            {
                watch.Restart();
            }
            foreach (string key in keys)
            {
                sink += KnownKeys.Hash(key.Substring(key.IndexOf('-') + 1))[0];
            }
        }
        result["hashOnlyPerSecond"] = 5.0 * n / watch.Elapsed.TotalSeconds;

        // Part: SHA-256 as the engine computes it: in managed code, from where the secret stands in the presented key.
        for (int pass = 0; pass < 6; pass++)
        {
            if (pass == 1)
            {
                watch.Restart();
            }
            foreach (string key in keys)
            {
                sink += KeySecret.Hash(key, key.IndexOf('-') + 1)[0];
            }
        }
        result["hashEngineStylePerSecond"] = 5.0 * n / watch.Elapsed.TotalSeconds;

        // Part: the lookup alone, a prepared SELECT by id as the engine does it (no hash compare, no objects); then the
        // same with a larger page cache, and with memory-mapped reads (what-ifs for StoreConnection's pragmas).
        foreach (KeyValuePair<string, string> setting in new Dictionary<string, string>
        {
            ["lookupOnlyPerSecond"] = null,
            ["lookupCache64MBPerSecond"] = "PRAGMA cache_size = -65536",
            ["lookupMmapPerSecond"] = "PRAGMA mmap_size = 268435456",
        })
        {
            SqliteConnection.ClearAllPools();
            using (SqliteConnection connection = SqliteHarness.Raw(path))
            using (SqliteCommand select = connection.CreateCommand())
            {
                if (setting.Value != null)
                {
                    SqliteHarness.Execute(connection, setting.Value);
                }
                select.CommandText = "SELECT name, key_hash, hash_algorithm, revoked, expires_at, last_used_at, allowlist FROM api_keys WHERE id = $id";
                SqliteParameter id = select.Parameters.Add("$id", SqliteType.Integer);
                for (int pass = 0; pass < 6; pass++)
                {
                    if (pass == 1)
                    {
                        watch.Restart();   // pass 0 warms up (JIT, page cache)
                    }
                    foreach (int value in ids)
                    {
                        id.Value = value;
                        using (SqliteDataReader reader = select.ExecuteReader())
                        {
                            if (reader.Read())
                            {
                                sink += ((byte[])reader.GetValue(1)).Length;
                            }
                        }
                    }
                }
                result[setting.Key] = 5.0 * n / watch.Elapsed.TotalSeconds;
            }
        }

        using (SqliteConnection connection = SqliteHarness.Raw(path))
        {
            // Part: PRAGMA data_version, the cheap "has another connection changed the file?" check a cache would need.
            using (SqliteCommand version = connection.CreateCommand())
            {
                version.CommandText = "PRAGMA data_version";
                for (int i = 0; i < 1000; i++)
                {
                    sink += Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
                }
                watch.Restart();
                for (int i = 0; i < 5 * n; i++)
                {
                    sink += Convert.ToInt32(version.ExecuteScalar(), CultureInfo.InvariantCulture);
                }
                result["dataVersionPerSecond"] = 5.0 * n / watch.Elapsed.TotalSeconds;
            }
        }

        // Parts through SQLitePCL.raw (no Microsoft.Data.Sqlite command/reader objects): the lookup and PRAGMA data_version.
        raw.sqlite3_open_v2(path, out sqlite3 db, raw.SQLITE_OPEN_READWRITE, null);
        using (db)
        {
            raw.sqlite3_prepare_v2(db, "SELECT name, key_hash, hash_algorithm, revoked, expires_at, last_used_at, allowlist FROM api_keys WHERE id = ?", out sqlite3_stmt select);
            raw.sqlite3_prepare_v2(db, "PRAGMA data_version", out sqlite3_stmt version);
            using (select)
            using (version)
            {
                for (int pass = 0; pass < 6; pass++)
                {
                    if (pass == 1)
                    {
                        watch.Restart();
                    }
                    foreach (int value in ids)
                    {
                        raw.sqlite3_bind_int64(select, 1, value);
                        if (raw.sqlite3_step(select) == raw.SQLITE_ROW)
                        {
                            sink += raw.sqlite3_column_blob(select, 1).Length + raw.sqlite3_column_text(select, 0).utf8_to_string().Length +
                                    raw.sqlite3_column_text(select, 6).utf8_to_string().Length;
                        }
                        raw.sqlite3_reset(select);
                    }
                }
                result["lookupSqlitePclRawPerSecond"] = 5.0 * n / watch.Elapsed.TotalSeconds;
                watch.Restart();
                for (int i = 0; i < 5 * n; i++)
                {
                    raw.sqlite3_step(version);
                    sink += raw.sqlite3_column_int(version, 0);
                    raw.sqlite3_reset(version);
                }
                result["dataVersionSqlitePclRawPerSecond"] = 5.0 * n / watch.Elapsed.TotalSeconds;
            }
        }

        // The write of a first use alone: `UPDATE last_used_at` in autocommit, synchronous=FULL (as now) and NORMAL.
        SqliteConnection.ClearAllPools();
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        using (SqliteCommand touch = connection.CreateCommand())
        {
            touch.CommandText = "UPDATE api_keys SET last_used_at = $now WHERE id = $id";
            SqliteParameter now = touch.Parameters.Add("$now", SqliteType.Integer);
            SqliteParameter id = touch.Parameters.Add("$id", SqliteType.Integer);
            int touches = Math.Min(n, 1000);
            foreach (string mode in new[] { "FULL", "NORMAL" })
            {
                SqliteHarness.Execute(connection, "PRAGMA synchronous = " + mode);
                watch.Restart();
                for (int i = 0; i < touches; i++)
                {
                    now.Value = 1L;   // reset below by the engine's own first use (it writes when last_used_at is old)
                    id.Value = ids[i];
                    touch.ExecuteNonQuery();
                }
                result["touch" + mode + "PerSecond"] = touches / watch.Elapsed.TotalSeconds;
            }
        }

        // Warm-up on 1000 other keys, so the figures measure the verifier, not the JIT compiling it.
        string[] warmUp = KnownKeys.Sample(path, 3 * n, Math.Min(1000, n)).Select(KnownKeys.Key).ToArray();
        using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(path))
        {
            for (int pass = 0; pass < 50; pass++)
            {
                foreach (string key in warmUp)
                {
                    sink += verifier.Verify(key).Valid ? 1 : 0;
                    sink += verifier.Verify(key, "CALL", "system.info").Valid ? 1 : 0;
                }
            }
        }

        // First use: each key's first verification in the minute by a new verifier: a cache miss (one SELECT) and a
        // last-use write. The writes are deferred and made together in one durable transaction; closing the verifier
        // makes them, and is timed with the verifications.
        int valid = 0;
        ApiKeyVerifier cold = ApiKeyVerifier.Open(path);
        watch.Restart();
        foreach (string key in keys)
        {
            valid += cold.Verify(key).Valid ? 1 : 0;
        }
        double coldVerifySeconds = watch.Elapsed.TotalSeconds;
        cold.Dispose();
        result["coldPerSecond"] = n / watch.Elapsed.TotalSeconds;
        result["coldVerifyOnlyPerSecond"] = n / coldVerifySeconds;
        result["coldWriteSecondsPerKey"] = (watch.Elapsed.TotalSeconds - coldVerifySeconds) / n;
        result["coldValid"] = valid;

        using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(path))
        {
            // Again, by a new verifier: misses (a SELECT per key), no write (each last use is recent).
            valid = 0;
            watch.Restart();
            foreach (string key in keys)
            {
                valid += verifier.Verify(key).Valid ? 1 : 0;
            }
            result["missPerSecond"] = n / watch.Elapsed.TotalSeconds;

            // Again, steady state: hits in the verifier's cache, each checked current with PRAGMA data_version.
            var warm = new List<double>();
            for (int pass = 0; pass < 5; pass++)
            {
                valid = 0;
                watch.Restart();
                foreach (string key in keys)
                {
                    valid += verifier.Verify(key).Valid ? 1 : 0;
                }
                warm.Add(n / watch.Elapsed.TotalSeconds);
            }
            result["warmPerSecond"] = Harness.Median(warm);
            result["warmPasses"] = warm;
            result["warmValid"] = valid;

            // With authorization: the allowlist is parsed once per key (on its first authorization) and matched per call.
            var authorize = new List<double>();
            for (int pass = 0; pass < 3; pass++)
            {
                valid = 0;
                watch.Restart();
                foreach (string key in keys)
                {
                    valid += verifier.Verify(key, "CALL", "system.info").Valid ? 1 : 0;
                }
                authorize.Add(n / watch.Elapsed.TotalSeconds);
            }
            result["warmAuthorizeFirstPerSecond"] = authorize[0];
            result["warmAuthorizePerSecond"] = Harness.Median(authorize.Skip(1).ToList());
            result["warmAuthorizeValid"] = valid;

            // Two threads on one verifier, cache hits.
            var twoThreads = new List<double>();
            for (int pass = 0; pass < 3; pass++)
            {
                watch.Restart();
                System.Threading.Tasks.Parallel.For(0, 2, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 2 }, t =>
                {
                    for (int i = t; i < keys.Length; i += 2)
                    {
                        verifier.Verify(keys[i]);
                    }
                });
                twoThreads.Add(n / watch.Elapsed.TotalSeconds);
            }
            result["warmTwoThreadsPerSecond"] = Harness.Median(twoThreads);

            // A wrong secret: NotFound, counted in memory and written with the others in a batch.
            int failures = Math.Min(n, 1000);
            watch.Restart();
            for (int i = 0; i < failures; i++)
            {
                string key = keys[i];
                string wrong = key.Substring(0, key.Length - 1) + (key[key.Length - 1] == 'A' ? 'B' : 'A');
                valid += verifier.Verify(wrong).Valid ? 1 : 0;
            }
            result["wrongSecretPerSecond"] = failures / watch.Elapsed.TotalSeconds;
        }

        // The floor: PBKDF2-SHA512 at 500,000 rounds, TrueNAS's per-key cost.
        var pbkdf2 = new List<double>();
        byte[] salt = new byte[16];
        RandomNumberGenerator.Fill(salt);
        for (int i = 0; i < pbkdf2Count; i++)
        {
            watch.Restart();
            byte[] derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(KnownKeys.Secret(ids[i % ids.Length])), salt, 500_000, HashAlgorithmName.SHA512, 64);
            sink += derived[0];
            pbkdf2.Add(watch.Elapsed.TotalSeconds);
        }
        result["pbkdf2SecondsEach"] = Harness.Median(pbkdf2);
        result["pbkdf2PerSecond"] = 1.0 / Harness.Median(pbkdf2);
        result["sink"] = sink;
    }
}
