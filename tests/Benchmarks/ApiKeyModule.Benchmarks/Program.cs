using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ApiKeyModule;
using Microsoft.Data.Sqlite;
using SQLitePCL;

// The C# side of `build.ps1 -Task Bench` (tests/Benchmarks/Invoke-Benchmarks.ps1 drives it). Each command prints one
// JSON object on its last line. Not a test: nothing here fails on a figure.
//
//   info                                   SQLite version
//   floor-create <dir> <n>                 P2 floor (raw per-row commit) and its variants, plus the engine alone
//   populate <path> <n>                    bulk-inserts n valid keys (ids 1..n, names k1..kn) in one transaction
//   keys <path> <offset> <n> <file>        writes n distinct keys "<id>-<secret>" of a populated store to a file
//   verify <path> <offset> <n> <pbkdf2>    P4: engine verifications/s (cold and warm), its parts, and the PBKDF2 floor
//   verifier <path> <offset> <n> <rounds> <flood>
//                                          V1-V3: cache misses on 1 and 2 threads, first use against a bare SELECT,
//                                          genuine verifications under a flood of invalid keys (VerifierBench.cs)
//   enumerate <path>                       P3 parts: raw SQLite read, engine List()
//   lookup <path> <n>                      P5 parts: Get(id) on an open store; Open + Get + Dispose per lookup
//   explain <path>                         query plans of the module's lookups
//   grace <dir> <n> <rounds>               P4 part: warm verification of a plain key, and of the new and previous key of a
//                                          key reset with a grace period
//   pg-floor-create <n>                    PG1 floor (raw Npgsql, a transaction per key) and the engine alone
//   pg-verify <keys> <hits> <rounds>       PG2, PG3: verifier cache hits and misses; raw prepared SELECT floor
//   pg-propagation <samples>               PG4: revocation seen by a running verifier; raw LISTEN/NOTIFY floor
//   pg-verifier <n> <rounds> <flood>       PGV1-PGV3: as verifier, on PostgreSQL
//                                          (pg-* on the server named by APIKEYMODULE_BENCH_POSTGRES)
//   spawn <rounds> <file>                  P1: runs each command line of the JSON file <rounds> times, round-robin;
//                                          wall time and (Linux, macOS) CPU time of each run
internal static class Program
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const ulong SecretSeed = 0x5EC12E7A11CE5EEDUL;
    private const int SampleSeed = 20240611;

    // The module's own schema, every version applied, for the floor's database.
    private static readonly string Schema = string.Concat(ApiKeyModule.StoreSchema.Migrations);

    private const string SelectColumns = "SELECT id, name, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at FROM api_keys";

    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: info | floor-create <dir> <n> | populate <path> <n> | keys <path> <offset> <n> <file> | verify <path> <offset> <n> <pbkdf2-count> | enumerate <path> | explain <path>");
            return 2;
        }
        EnsureSqlite();
        var result = new Dictionary<string, object>();
        switch (args[0])
        {
            case "info":
                result["sqlite"] = SqliteVersion();
                break;
            case "floor-create":
                FloorCreate(args[1], Int(args[2]), result);
                break;
            case "populate":
                Populate(args[1], Int(args[2]), result);
                break;
            case "keys":
                File.WriteAllLines(args[4], Sample(args[1], Int(args[2]), Int(args[3])).Select(id => Key(id)));
                result["written"] = Int(args[3]);
                break;
            case "verify":
                Verify(args[1], Int(args[2]), Int(args[3]), Int(args[4]), result);
                break;
            case "verifier":
                VerifierBench.Sqlite(args[1], Int(args[2]), Int(args[3]), Int(args[4]), Int(args[5]), result);
                break;
            case "lookup":
                Lookup(args[1], Int(args[2]), result);
                break;
            case "enumerate":
                Enumerate(args[1], result);
                break;
            case "spawn":
                Spawn(Int(args[1]), args[2], result);
                break;
            case "explain":
                Explain(args[1], result);
                break;
            case "grace":
                GraceBench.Verify(args[1], Int(args[2]), Int(args[3]), result);
                break;
            case "pg-floor-create":
                PostgresBench.FloorCreate(Int(args[1]), result);
                break;
            case "pg-verify":
                PostgresBench.Verify(Int(args[1]), Int(args[2]), Int(args[3]), result);
                break;
            case "pg-verifier":
                PostgresBench.Verifier(Int(args[1]), Int(args[2]), Int(args[3]), result);
                break;
            case "pg-revoker":
                PostgresBench.Revoker(args[1]);
                return 0;
            case "pg-propagation":
                PostgresBench.Propagation(Int(args[1]), result);
                break;
            default:
                Console.Error.WriteLine("unknown command " + args[0]);
                return 2;
        }
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>Loads the module's bundled e_sqlite3 the module's way (opening a throwaway engine store).</summary>
    private static void EnsureSqlite()
    {
        string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-bench-init-" + Guid.NewGuid().ToString("N"));
        try
        {
            ApiKeyStore.Open(Path.Combine(folder, "init.db")).Dispose();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    private static string SqliteVersion()
    {
        using (var connection = new SqliteConnection("Data Source=:memory:"))
        {
            connection.Open();
            return (string)Scalar(connection, "SELECT sqlite_version()");
        }
    }

    internal static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False");
        connection.Open();
        return connection;
    }

    internal static object Scalar(SqliteConnection connection, string sql, SqliteTransaction transaction = null)
    {
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            return command.ExecuteScalar();
        }
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction transaction = null)
    {
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }
    }

    // ---- keys whose secrets are known: a secret is a function of the id (splitmix64), so any sample can be rebuilt.

    internal static string Secret(int id)
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

    internal static string Key(int id) => id.ToString(CultureInfo.InvariantCulture) + "-" + Secret(id);

    /// <summary>As the module stores it: SHA-256 of the ASCII secret.</summary>
    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Distinct ids of the store in a fixed random order; [offset, offset + n) of it.</summary>
    internal static int[] Sample(string path, int offset, int n)
    {
        int max;
        using (SqliteConnection connection = Raw(path))
        {
            max = Convert.ToInt32(Scalar(connection, "SELECT max(id) FROM api_keys"), CultureInfo.InvariantCulture);
        }
        if (offset + n > max)
        {
            throw new ArgumentException($"the store has {max} keys; asked for {offset + n}");
        }
        int[] ids = Enumerable.Range(1, max).ToArray();
        new Random(SampleSeed).Shuffle(ids);
        return ids.Skip(offset).Take(n).ToArray();
    }

    // ---- P2

    private static void FloorCreate(string folder, int n, Dictionary<string, object> result)
    {
        Directory.CreateDirectory(folder);
        // Warm-up (JIT, first file creation) on throwaway files, untimed.
        RawCreate(Path.Combine(folder, "warm-raw.db"), 100, "FULL", perRow: true);
        EngineCreate(Path.Combine(folder, "warm-engine.db"), 100);
        result["n"] = n;
        result["floorFullPerRowSeconds"] = RawCreate(Path.Combine(folder, "floor-full.db"), n, "FULL", perRow: true);
        result["floorNormalPerRowSeconds"] = RawCreate(Path.Combine(folder, "floor-normal.db"), n, "NORMAL", perRow: true);
        result["floorFullOneTransactionSeconds"] = RawCreate(Path.Combine(folder, "floor-batch.db"), n, "FULL", perRow: false);
        result["engineCreateSeconds"] = EngineCreate(Path.Combine(folder, "engine.db"), n);
    }

    /// <summary>The work New-ApiKey's engine does per key, with nothing else: one api_keys row and one audit_log row per transaction.</summary>
    private static double RawCreate(string path, int n, string synchronous, bool perRow)
    {
        using (SqliteConnection connection = Raw(path))
        {
            Execute(connection, "PRAGMA journal_mode = WAL");
            Execute(connection, "PRAGMA synchronous = " + synchronous);
            Execute(connection, "PRAGMA busy_timeout = 30000");
            using (SqliteTransaction schema = connection.BeginTransaction())
            {
                Execute(connection, Schema, schema);
                schema.Commit();
            }
            using (SqliteCommand insert = connection.CreateCommand())
            using (SqliteCommand audit = connection.CreateCommand())
            {
                insert.CommandText = "INSERT INTO api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at) " +
                                     "VALUES ($name, $folded, $created, $allowlist, $hash, $algorithm, $expires) RETURNING id";
                SqliteParameter name = insert.Parameters.Add("$name", SqliteType.Text);
                SqliteParameter folded = insert.Parameters.Add("$folded", SqliteType.Text);
                SqliteParameter created = insert.Parameters.Add("$created", SqliteType.Integer);
                insert.Parameters.AddWithValue("$allowlist", "");
                SqliteParameter hash = insert.Parameters.Add("$hash", SqliteType.Blob);
                insert.Parameters.AddWithValue("$algorithm", "sha256");
                insert.Parameters.AddWithValue("$expires", DBNull.Value);
                audit.CommandText = "INSERT INTO audit_log (at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id) " +
                                    "VALUES ($at, 'Create', $keyId, $keyName, NULL, '(none)', NULL, $user, $host, $pid)";
                SqliteParameter at = audit.Parameters.Add("$at", SqliteType.Integer);
                SqliteParameter keyId = audit.Parameters.Add("$keyId", SqliteType.Integer);
                SqliteParameter keyName = audit.Parameters.Add("$keyName", SqliteType.Text);
                audit.Parameters.AddWithValue("$user", Environment.UserName);
                audit.Parameters.AddWithValue("$host", Environment.MachineName);
                audit.Parameters.AddWithValue("$pid", Environment.ProcessId);
                var secret = new byte[64];
                Stopwatch watch = Stopwatch.StartNew();
                SqliteTransaction batch = perRow ? null : connection.BeginTransaction();
                for (int i = 1; i <= n; i++)
                {
                    SqliteTransaction transaction = batch ?? connection.BeginTransaction();
                    string text = "k" + i.ToString(CultureInfo.InvariantCulture);
                    long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    RandomNumberGenerator.Fill(secret);
                    insert.Transaction = transaction;
                    name.Value = text;
                    folded.Value = text.ToUpperInvariant();
                    created.Value = now;
                    hash.Value = SHA256.HashData(secret);
                    long id = Convert.ToInt64(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
                    audit.Transaction = transaction;
                    at.Value = now;
                    keyId.Value = id;
                    keyName.Value = text;
                    audit.ExecuteNonQuery();
                    if (batch == null)
                    {
                        transaction.Commit();
                        transaction.Dispose();
                    }
                }
                batch?.Commit();
                batch?.Dispose();
                return watch.Elapsed.TotalSeconds;
            }
        }
    }

    private static double EngineCreate(string path, int n)
    {
        using (ApiKeyStore store = ApiKeyStore.Open(path))
        {
            var none = new AllowlistEntry[0];
            Stopwatch watch = Stopwatch.StartNew();
            for (int i = 1; i <= n; i++)
            {
                store.Create("k" + i.ToString(CultureInfo.InvariantCulture), none);
            }
            return watch.Elapsed.TotalSeconds;
        }
    }

    // ---- population (P3, P4, P5)

    private static void Populate(string path, int n, Dictionary<string, object> result)
    {
        Stopwatch watch = Stopwatch.StartNew();
        // The engine creates the store as the module does: file modes, WAL, schema, user_version.
        ApiKeyStore.Open(path).Dispose();
        SqliteConnection.ClearAllPools();
        using (SqliteConnection connection = Raw(path))
        {
            Execute(connection, "PRAGMA cache_size = -262144");
            int existing = Convert.ToInt32(Scalar(connection, "SELECT count(*) FROM api_keys"), CultureInfo.InvariantCulture);
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
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }
        result["n"] = n;
        result["seconds"] = watch.Elapsed.TotalSeconds;
        result["bytes"] = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
    }

    // ---- P4

    private static void Verify(string path, int offset, int n, int pbkdf2Count, Dictionary<string, object> result)
    {
        int[] ids = Sample(path, offset, n);
        string[] keys = ids.Select(Key).ToArray();
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
                sink += Hash(key.Substring(key.IndexOf('-') + 1))[0];
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
            using (SqliteConnection connection = Raw(path))
            using (SqliteCommand select = connection.CreateCommand())
            {
                if (setting.Value != null)
                {
                    Execute(connection, setting.Value);
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

        using (SqliteConnection connection = Raw(path))
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
        using (SqliteConnection connection = Raw(path))
        using (SqliteCommand touch = connection.CreateCommand())
        {
            touch.CommandText = "UPDATE api_keys SET last_used_at = $now WHERE id = $id";
            SqliteParameter now = touch.Parameters.Add("$now", SqliteType.Integer);
            SqliteParameter id = touch.Parameters.Add("$id", SqliteType.Integer);
            int touches = Math.Min(n, 1000);
            foreach (string mode in new[] { "FULL", "NORMAL" })
            {
                Execute(connection, "PRAGMA synchronous = " + mode);
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
        string[] warmUp = Sample(path, 3 * n, Math.Min(1000, n)).Select(Key).ToArray();
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
            result["warmPerSecond"] = Median(warm);
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
            result["warmAuthorizePerSecond"] = Median(authorize.Skip(1).ToList());
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
            result["warmTwoThreadsPerSecond"] = Median(twoThreads);

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
            byte[] derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.ASCII.GetBytes(Secret(ids[i % ids.Length])), salt, 500_000, HashAlgorithmName.SHA512, 64);
            sink += derived[0];
            pbkdf2.Add(watch.Elapsed.TotalSeconds);
        }
        result["pbkdf2SecondsEach"] = Median(pbkdf2);
        result["pbkdf2PerSecond"] = 1.0 / Median(pbkdf2);
        result["sink"] = sink;
    }

    // ---- P5 parts

    /// <summary>Get by id on an open store, and Open + Get + Dispose per lookup as each Get-ApiKey invocation does.</summary>
    private static void Lookup(string path, int n, Dictionary<string, object> result)
    {
        int max;
        using (SqliteConnection connection = Raw(path))
        {
            max = Convert.ToInt32(Scalar(connection, "SELECT max(id) FROM api_keys"), CultureInfo.InvariantCulture);
        }
        var random = new Random(11);
        int[] ids = Enumerable.Range(0, n).Select(_ => random.Next(1, max + 1)).ToArray();
        int found = 0;
        using (ApiKeyStore store = ApiKeyStore.Open(path))
        {
            foreach (int id in ids.Take(200))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
            Stopwatch watch = Stopwatch.StartNew();
            foreach (int id in ids)
            {
                found += store.Get(id) != null ? 1 : 0;
            }
            result["getOnOpenStoreSeconds"] = watch.Elapsed.TotalSeconds / n;
        }
        using (SqliteConnection connection = Raw(path))
        {
            // The same SELECT, prepared once and reused, and prepared anew per lookup (as ApiKeyStore.Query does).
            using (SqliteCommand prepared = connection.CreateCommand())
            {
                prepared.CommandText = SelectColumns + " WHERE id = $p";
                SqliteParameter parameter = prepared.Parameters.Add("$p", SqliteType.Integer);
                for (int pass = 0; pass < 2; pass++)
                {
                    Stopwatch watch = Stopwatch.StartNew();
                    foreach (int id in ids)
                    {
                        parameter.Value = id;
                        found += ReadRow(prepared);
                    }
                    result["rawPreparedSeconds"] = watch.Elapsed.TotalSeconds / n;
                }
            }
            for (int pass = 0; pass < 2; pass++)
            {
                Stopwatch watch = Stopwatch.StartNew();
                foreach (int id in ids)
                {
                    using (SqliteCommand command = connection.CreateCommand())
                    {
                        command.CommandText = SelectColumns + " WHERE id = $p";
                        command.Parameters.AddWithValue("$p", id);
                        found += ReadRow(command);
                    }
                }
                result["rawNewCommandSeconds"] = watch.Elapsed.TotalSeconds / n;
            }
        }
        foreach (int id in ids.Take(200))
        {
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
        }
        Stopwatch open = Stopwatch.StartNew();
        foreach (int id in ids)
        {
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
        }
        result["openGetDisposeSeconds"] = open.Elapsed.TotalSeconds / n;
        result["found"] = found;
    }

    private static int ReadRow(SqliteCommand command)
    {
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return 0;
            }
            long sink = reader.GetInt32(0) + reader.GetString(1).Length + reader.GetInt64(2) + reader.GetString(3).Length +
                        (reader.IsDBNull(4) ? 0 : reader.GetInt64(4)) + (reader.GetBoolean(5) ? 1 : 0) +
                        (reader.IsDBNull(6) ? 0 : reader.GetString(6).Length) + (reader.IsDBNull(7) ? 0 : reader.GetInt64(7));
            return sink != 0 ? 1 : 0;
        }
    }

    // ---- P3 parts

    private static void Enumerate(string path, Dictionary<string, object> result)
    {
        SqliteConnection.ClearAllPools();
        var raw = new List<double>();
        var engine = new List<double>();
        long count = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            Stopwatch watch = Stopwatch.StartNew();
            using (SqliteConnection connection = Raw(path))
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = SelectColumns + " ORDER BY id";
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    long sink = 0;
                    count = 0;
                    while (reader.Read())
                    {
                        sink += reader.GetInt32(0) + reader.GetString(1).Length + reader.GetInt64(2) + reader.GetString(3).Length +
                                (reader.IsDBNull(4) ? 0 : reader.GetInt64(4)) + (reader.GetBoolean(5) ? 1 : 0) +
                                (reader.IsDBNull(6) ? 0 : reader.GetString(6).Length) + (reader.IsDBNull(7) ? 0 : reader.GetInt64(7));
                        count++;
                    }
                }
            }
            raw.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                count = 0;
                foreach (ApiKey key in store.List())
                {
                    count++;
                }
            }
            engine.Add(watch.Elapsed.TotalSeconds);
        }
        result["n"] = count;
        result["rawReadSeconds"] = Median(raw);
        result["engineListSeconds"] = Median(engine);

        // What-ifs: the allowlist column parsed per row as the engine does (Split, Substring, string.Intern), parsed
        // once per distinct text, and the rows read through SQLitePCL.raw without Microsoft.Data.Sqlite's reader.
        var parsed = new List<double>();
        var cached = new List<double>();
        var direct = new List<double>();
        for (int pass = 0; pass < 3; pass++)
        {
            parsed.Add(ReadWithAllowlists(path, cache: false));
            cached.Add(ReadWithAllowlists(path, cache: true));
            direct.Add(ReadDirect(path));
        }
        result["rawReadParseAllowlistSeconds"] = Median(parsed);
        result["rawReadCachedAllowlistSeconds"] = Median(cached);
        result["sqlitePclRawReadSeconds"] = Median(direct);
    }

    // ---- P1: process start, wall and CPU time

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public TimeVal User;
        public TimeVal System;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)]
        public long[] Rest;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out ResourceUsage usage);

    /// <summary>CPU seconds (user + system) of all waited-for children so far; null where getrusage is not at hand.</summary>
    private static double? ChildrenCpuSeconds()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            return null;
        }
        const int RusageChildren = -1;
        if (getrusage(RusageChildren, out ResourceUsage usage) != 0)
        {
            return null;
        }
        return usage.User.Seconds + usage.User.Microseconds / 1e6 + usage.System.Seconds + usage.System.Microseconds / 1e6;
    }

    /// <summary>The file: {"name": {"file": "...", "args": ["..."], "expect": "..."}, ...}. One warm-up run each, then round-robin.</summary>
    private static void Spawn(int rounds, string file, Dictionary<string, object> result)
    {
        var variants = JsonSerializer.Deserialize<Dictionary<string, SpawnVariant>>(File.ReadAllText(file));
        var wall = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        var cpu = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        for (int round = -1; round < rounds; round++)
        {
            foreach (KeyValuePair<string, SpawnVariant> variant in variants)
            {
                double? cpuBefore = ChildrenCpuSeconds();
                var info = new ProcessStartInfo(variant.Value.file)
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                foreach (string argument in variant.Value.args)
                {
                    info.ArgumentList.Add(argument);
                }
                Stopwatch watch = Stopwatch.StartNew();
                using (Process process = Process.Start(info))
                {
                    var stdout = process.StandardOutput.ReadToEndAsync();
                    var stderr = process.StandardError.ReadToEndAsync();
                    process.WaitForExit();
                    double elapsed = watch.Elapsed.TotalSeconds;
                    double? cpuAfter = ChildrenCpuSeconds();
                    if (process.ExitCode != 0 || stderr.Result.Trim().Length > 0 ||
                        (variant.Value.expect != null && !stdout.Result.Contains(variant.Value.expect)))
                    {
                        throw new InvalidOperationException($"{variant.Key} failed (exit code {process.ExitCode}): {stdout.Result} {stderr.Result}");
                    }
                    if (round >= 0)
                    {
                        wall[variant.Key].Add(elapsed);
                        if (cpuBefore != null && cpuAfter != null)
                        {
                            cpu[variant.Key].Add(cpuAfter.Value - cpuBefore.Value);
                        }
                    }
                }
            }
        }
        result["rounds"] = rounds;
        result["wallMedian"] = wall.ToDictionary(p => p.Key, p => Median(p.Value));
        result["cpuMedian"] = cpu.All(p => p.Value.Count > 0) ? cpu.ToDictionary(p => p.Key, p => Median(p.Value)) : null;
        result["wall"] = wall;
        result["cpu"] = cpu;
    }

    private sealed class SpawnVariant
    {
        public string file { get; set; }
        public string[] args { get; set; }
        public string expect { get; set; }
    }

    private static double ReadWithAllowlists(string path, bool cache)
    {
        Stopwatch watch = Stopwatch.StartNew();
        var seen = new Dictionary<string, object>(StringComparer.Ordinal);
        long sink = 0;
        using (SqliteConnection connection = Raw(path))
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = SelectColumns + " ORDER BY id";
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    string text = reader.GetString(3);
                    object allowlist;
                    if (!cache || !seen.TryGetValue(text, out allowlist))
                    {
                        allowlist = ParseAllowlist(text);
                        if (cache)
                        {
                            seen[text] = allowlist;
                        }
                    }
                    sink += reader.GetInt32(0) + reader.GetString(1).Length + reader.GetInt64(2) + ((KeyValuePair<string, string>[])allowlist).Length +
                            (reader.IsDBNull(4) ? 0 : reader.GetInt64(4)) + (reader.GetBoolean(5) ? 1 : 0) +
                            (reader.IsDBNull(6) ? 0 : reader.GetString(6).Length) + (reader.IsDBNull(7) ? 0 : reader.GetInt64(7));
                }
            }
        }
        return sink == 0 ? 0 : watch.Elapsed.TotalSeconds;
    }

    /// <summary>As AllowlistColumn.Read does it, with pairs for its entries.</summary>
    private static KeyValuePair<string, string>[] ParseAllowlist(string text)
    {
        if (text.Length == 0)
        {
            return new KeyValuePair<string, string>[0];
        }
        string[] lines = text.Split('\n');
        var entries = new KeyValuePair<string, string>[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            int space = lines[i].IndexOf(' ');
            entries[i] = new KeyValuePair<string, string>(string.Intern(lines[i].Substring(0, space)), lines[i].Substring(space + 1));
        }
        return entries;
    }

    private static double ReadDirect(string path)
    {
        Stopwatch watch = Stopwatch.StartNew();
        long sink = 0;
        raw.sqlite3_open_v2(path, out sqlite3 db, raw.SQLITE_OPEN_READONLY, null);
        using (db)
        {
            raw.sqlite3_prepare_v2(db, SelectColumns + " ORDER BY id", out sqlite3_stmt statement);
            using (statement)
            {
                while (raw.sqlite3_step(statement) == raw.SQLITE_ROW)
                {
                    sink += raw.sqlite3_column_int(statement, 0) + raw.sqlite3_column_text(statement, 1).utf8_to_string().Length +
                            raw.sqlite3_column_int64(statement, 2) + raw.sqlite3_column_text(statement, 3).utf8_to_string().Length +
                            (raw.sqlite3_column_type(statement, 4) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_int64(statement, 4)) +
                            raw.sqlite3_column_int(statement, 5) +
                            (raw.sqlite3_column_type(statement, 6) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_text(statement, 6).utf8_to_string().Length) +
                            (raw.sqlite3_column_type(statement, 7) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_int64(statement, 7));
                }
            }
        }
        return sink == 0 ? 0 : watch.Elapsed.TotalSeconds;
    }

    private static void Explain(string path, Dictionary<string, object> result)
    {
        using (SqliteConnection connection = Raw(path))
        {
            result["byId"] = Plan(connection, SelectColumns + " WHERE id = 5");
            result["byNamePrefix"] = Plan(connection, SelectColumns + " WHERE name_folded >= 'K12345' AND name_folded < 'K12345' || char(1114111) ORDER BY id");
            result["list"] = Plan(connection, SelectColumns + " ORDER BY id");
        }
    }

    private static string Plan(SqliteConnection connection, string sql)
    {
        var lines = new List<string>();
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    lines.Add(reader.GetString(3));
                }
            }
        }
        return string.Join("; ", lines);
    }

    internal static double Median(List<double> values)
    {
        List<double> sorted = values.OrderBy(v => v).ToList();
        int middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
