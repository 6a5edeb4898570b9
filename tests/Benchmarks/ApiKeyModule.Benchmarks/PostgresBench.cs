using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using ApiKeyModule;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// The PostgreSQL figures (PG1-PG4) and their floors, on the server named by APIKEYMODULE_BENCH_POSTGRES. Each floor
/// runs on the same server, in a schema of its own holding the store's own tables (PostgresSchema's script), through
/// raw Npgsql with prepared statements. Every schema made here is dropped at the end.
/// </summary>
internal static class PostgresBench
{
    public const string Variable = "APIKEYMODULE_BENCH_POSTGRES";

    private static string Server()
    {
        string connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException(Variable + " is not set.");
        }
        return connectionString;
    }

    private static string NewSchema(string what) => "bench_" + what + "_" + Guid.NewGuid().ToString("N").Substring(0, 8);

    private static NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(Server() + ";Pooling=false");
        connection.Open();
        return connection;
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using (var command = new NpgsqlCommand(sql, connection))
        {
            command.ExecuteNonQuery();
        }
    }

    /// <summary>A schema with the store's tables, indexes and triggers (every version), for raw statements.</summary>
    private static void CreateRawSchema(NpgsqlConnection connection, string schema)
    {
        Execute(connection, "CREATE SCHEMA " + PostgresSchema.Quote(schema));
        Guid storeId = Guid.NewGuid();
        for (int version = 0; version < PostgresSchema.CurrentVersion; version++)
        {
            Execute(connection, PostgresSchema.Migration(version, schema, storeId));
        }
    }

    private static void Drop(params string[] schemas)
    {
        using (NpgsqlConnection connection = Connect())
        {
            foreach (string schema in schemas)
            {
                Execute(connection, "DROP SCHEMA IF EXISTS " + PostgresSchema.Quote(schema) + " CASCADE");
            }
        }
    }

    private static ApiKeyStore OpenStore(string schema) => ApiKeyStore.Open(Server() + ";Schema=" + schema);

    private static ApiKeyVerifier OpenVerifier(string schema) => ApiKeyVerifier.Open(Server() + ";Schema=" + schema);

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Max(0, Math.Min(sorted.Length - 1, rank - 1))];
    }

    // ---- PG1: the floor of bulk creation, and the engine alone

    /// <summary>
    /// What the engine's create does on the wire, with nothing else: per key, BEGIN, the api_keys row (RETURNING id),
    /// the audit row, COMMIT; prepared statements on one connection. Hashes are computed before timing.
    /// </summary>
    private static double RawCreate(NpgsqlConnection connection, string schema, int first, int n)
    {
        string s = PostgresSchema.Quote(schema);
        byte[][] hashes = new byte[n][];
        using (SHA256 sha = SHA256.Create())
        {
            for (int i = 0; i < n; i++)
            {
                hashes[i] = sha.ComputeHash(RandomNumberGenerator.GetBytes(48));
            }
        }
        string user = Environment.UserName, host = Environment.MachineName;
        int pid = Environment.ProcessId;
        using (var insert = new NpgsqlCommand($"INSERT INTO {s}.api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id", connection))
        using (var audit = new NpgsqlCommand($"INSERT INTO {s}.audit_log (at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)", connection))
        {
            foreach (NpgsqlDbType type in new[] { NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Bytea, NpgsqlDbType.Text, NpgsqlDbType.Bigint })
            {
                insert.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
            }
            foreach (NpgsqlDbType type in new[] { NpgsqlDbType.Bigint, NpgsqlDbType.Text, NpgsqlDbType.Integer, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Text, NpgsqlDbType.Integer })
            {
                audit.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = type });
            }
            insert.Prepare();
            audit.Prepare();
            Stopwatch watch = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                string name = "k" + (first + i).ToString(CultureInfo.InvariantCulture);
                long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                using (NpgsqlTransaction transaction = connection.BeginTransaction())
                {
                    insert.Transaction = transaction;
                    insert.Parameters[0].Value = name;
                    insert.Parameters[1].Value = name;
                    insert.Parameters[2].Value = now;
                    insert.Parameters[3].Value = "[]";
                    insert.Parameters[4].Value = hashes[i];
                    insert.Parameters[5].Value = KeySecret.HashAlgorithm;
                    insert.Parameters[6].Value = DBNull.Value;
                    int id = (int)insert.ExecuteScalar();
                    audit.Transaction = transaction;
                    audit.Parameters[0].Value = now;
                    audit.Parameters[1].Value = "Create";
                    audit.Parameters[2].Value = id;
                    audit.Parameters[3].Value = name;
                    audit.Parameters[4].Value = DBNull.Value;
                    audit.Parameters[5].Value = DBNull.Value;
                    audit.Parameters[6].Value = DBNull.Value;
                    audit.Parameters[7].Value = user;
                    audit.Parameters[8].Value = host;
                    audit.Parameters[9].Value = pid;
                    audit.ExecuteNonQuery();
                    transaction.Commit();
                }
            }
            return watch.Elapsed.TotalSeconds;
        }
    }

    private static double EngineCreate(string schema, int first, int n)
    {
        using (ApiKeyStore store = OpenStore(schema))
        {
            Stopwatch watch = Stopwatch.StartNew();
            for (int i = 0; i < n; i++)
            {
                store.Create("k" + (first + i).ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
            }
            return watch.Elapsed.TotalSeconds;
        }
    }

    public static void FloorCreate(int n, Dictionary<string, object> result)
    {
        string raw = NewSchema("raw"), engine = NewSchema("engine");
        try
        {
            using (NpgsqlConnection connection = Connect())
            {
                result["server"] = connection.PostgreSqlVersion.ToString();
                CreateRawSchema(connection, raw);
                RawCreate(connection, raw, 1000000, 100);   // warm-up: JIT, first pages
                result["floorPerRowSeconds"] = RawCreate(connection, raw, 1, n);
            }
            EngineCreate(engine, 1000000, 100);
            result["engineCreateSeconds"] = EngineCreate(engine, 1, n);
            result["n"] = n;
        }
        finally
        {
            Drop(raw, engine);
        }
    }

    // ---- PG2, PG3: verification, cache hits and misses; the floor of a miss

    public static void Verify(int keyCount, int hits, int rounds, Dictionary<string, object> result)
    {
        string engine = NewSchema("verify"), raw = NewSchema("rawverify");
        try
        {
            var keys = new string[keyCount];
            var ids = new int[keyCount];
            using (ApiKeyStore store = OpenStore(engine))
            {
                for (int i = 0; i < keyCount; i++)
                {
                    IssuedApiKey issued = store.Create("v" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
                    keys[i] = issued.Key;
                    ids[i] = issued.Id;
                }
            }
            // The floor's table: the same rows, in a schema of its own.
            using (NpgsqlConnection connection = Connect())
            {
                CreateRawSchema(connection, raw);
                Execute(connection, $"INSERT INTO {PostgresSchema.Quote(raw)}.api_keys OVERRIDING SYSTEM VALUE SELECT * FROM {PostgresSchema.Quote(engine)}.api_keys");
                Execute(connection, $"ANALYZE {PostgresSchema.Quote(raw)}.api_keys");
            }
            // First use of every key (its last use written), untimed: the timed misses below write nothing.
            using (ApiKeyVerifier first = OpenVerifier(engine))
            {
                foreach (string key in keys)
                {
                    if (!first.Verify(key).Valid)
                    {
                        throw new InvalidOperationException("a key created for the benchmark did not verify");
                    }
                }
            }

            var missRuns = new List<double>();
            var floorRuns = new List<double>();
            var hitRuns = new List<double>();
            Stopwatch watch = new Stopwatch();
            // Round 0 warms up (JIT, the server's caches); rounds interleave the floor and the figure so that noise
            // falls on both alike.
            for (int round = 0; round <= rounds; round++)
            {
                using (NpgsqlConnection connection = Connect())
                using (var select = new NpgsqlCommand($"SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist FROM {PostgresSchema.Quote(raw)}.api_keys WHERE id = $1 AND hash_algorithm = '{KeySecret.HashAlgorithm}'", connection))
                {
                    NpgsqlParameter id = select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
                    select.Prepare();
                    int found = 0;
                    watch.Restart();
                    foreach (int keyId in ids)
                    {
                        id.Value = keyId;
                        using (NpgsqlDataReader reader = select.ExecuteReader())
                        {
                            while (reader.Read())
                            {
                                found++;
                            }
                        }
                    }
                    if (round > 0)
                    {
                        floorRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    if (found != keyCount)
                    {
                        throw new InvalidOperationException("the floor's table lacks rows");
                    }
                }
                using (ApiKeyVerifier verifier = OpenVerifier(engine))
                {
                    int valid = 0;
                    watch.Restart();
                    foreach (string key in keys)
                    {
                        valid += verifier.Verify(key).Valid ? 1 : 0;
                    }
                    if (round > 0)
                    {
                        missRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    if (valid != keyCount)
                    {
                        throw new InvalidOperationException("not every key verified");
                    }
                    // The same verifier again: cache hits, each checked against the listener's change count.
                    valid = 0;
                    watch.Restart();
                    for (int i = 0; i < hits; i++)
                    {
                        valid += verifier.Verify(keys[i % keyCount]).Valid ? 1 : 0;
                    }
                    if (round > 0)
                    {
                        hitRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    if (valid != hits)
                    {
                        throw new InvalidOperationException("not every key verified");
                    }
                }
            }
            result["keys"] = keyCount;
            result["hits"] = hits;
            result["rounds"] = rounds;
            result["missPerSecond"] = keyCount / Median(missRuns);
            result["floorSelectPerSecond"] = keyCount / Median(floorRuns);
            result["hitPerSecond"] = hits / Median(hitRuns);
            result["missRunsPerSecond"] = missRuns.Select(s => keyCount / s).ToArray();
            result["floorRunsPerSecond"] = floorRuns.Select(s => keyCount / s).ToArray();
            result["hitRunsPerSecond"] = hitRuns.Select(s => hits / s).ToArray();
        }
        finally
        {
            Drop(engine, raw);
        }
    }

    // ---- PG4: revocation propagation, and its floor

    /// <summary>The other process of <see cref="Propagation"/>: revokes each id read from stdin, then prints the time its commit returned.</summary>
    public static void Revoker(string schema)
    {
        using (ApiKeyStore store = OpenStore(schema))
        {
            Console.WriteLine("ready");
            string line;
            while ((line = Console.ReadLine()) != null)
            {
                store.Revoke(int.Parse(line, CultureInfo.InvariantCulture), "benchmark");
                Console.WriteLine(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// A verifier keeps verifying a key (cache hits) while a store in another process (its own connection) revokes it; each sample is the
    /// time from Revoke returning (its commit done) to the first verification that refuses the key. The floor: a raw
    /// LISTEN connection, and the time from a committed UPDATE + pg_notify on another connection to the notification's
    /// arrival.
    /// </summary>
    public static void Propagation(int samples, Dictionary<string, object> result)
    {
        string engine = NewSchema("revoke"), raw = NewSchema("rawnotify");
        var random = new Random(11);
        try
        {
            var keys = new string[samples];
            var ids = new int[samples];
            using (ApiKeyStore store = OpenStore(engine))
            {
                for (int i = 0; i < samples; i++)
                {
                    IssuedApiKey issued = store.Create("r" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
                    keys[i] = issued.Key;
                    ids[i] = issued.Id;
                }
            }
            // Revoked by another process, as on another host: a store in this process would tell this process's
            // verifiers at once (PostgresLocalChanges), without the listener. Stopwatch timestamps are the system's
            // monotonic clock, the same in both processes.
            var latencies = new List<double>();
            var verificationsUntilSeen = new List<double>();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(PostgresBench).Assembly.Location);
            start.ArgumentList.Add("pg-revoker");
            start.ArgumentList.Add(engine);
            using (Process revoker = Process.Start(start))
            using (ApiKeyVerifier verifier = OpenVerifier(engine))
            {
                try
                {
                    if (revoker.StandardOutput.ReadLine() != "ready")
                    {
                        throw new InvalidOperationException("the revoking process did not start");
                    }
                    for (int i = 0; i < samples; i++)
                    {
                        for (int j = 0; j < 200; j++)
                        {
                            if (!verifier.Verify(keys[i]).Valid)
                            {
                                throw new InvalidOperationException("a key refused before its revocation");
                            }
                        }
                        // Not in step with the listener's 250 ms poll.
                        Thread.Sleep(random.Next(0, 30));
                        long count = 0, seen;
                        long asked = Stopwatch.GetTimestamp();
                        revoker.StandardInput.WriteLine(ids[i].ToString(CultureInfo.InvariantCulture));
                        revoker.StandardInput.Flush();
                        while (true)
                        {
                            count++;
                            if (!verifier.Verify(keys[i]).Valid)
                            {
                                seen = Stopwatch.GetTimestamp();
                                break;
                            }
                            if (Stopwatch.GetTimestamp() - asked > 10 * Stopwatch.Frequency)
                            {
                                throw new InvalidOperationException("a revocation was not seen within 10 s");
                            }
                        }
                        long committed = long.Parse(revoker.StandardOutput.ReadLine(), CultureInfo.InvariantCulture);
                        latencies.Add(Math.Max(0, seen - committed) * 1000.0 / Stopwatch.Frequency);
                        verificationsUntilSeen.Add(count);
                    }
                }
                finally
                {
                    revoker.StandardInput.Close();
                    revoker.WaitForExit(10000);
                }
            }

            var floor = new List<double>();
            using (NpgsqlConnection listener = Connect())
            using (NpgsqlConnection writer = Connect())
            {
                CreateRawSchema(writer, raw);
                string s = PostgresSchema.Quote(raw);
                Execute(writer, $"INSERT INTO {s}.api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm) VALUES ('n', 'n', 0, '[]', '\\x00', 'sha256')");
                Execute(listener, "LISTEN bench_floor");
                using (var update = new NpgsqlCommand($"WITH u AS (UPDATE {s}.api_keys SET revoked = NOT revoked RETURNING id) SELECT pg_notify('bench_floor', id::text) FROM u", writer))
                {
                    update.Prepare();
                    for (int i = 0; i < samples + 10; i++)
                    {
                        Thread.Sleep(random.Next(0, 30));
                        update.ExecuteNonQuery();
                        long committed = Stopwatch.GetTimestamp();
                        if (!listener.Wait(10000))
                        {
                            throw new InvalidOperationException("a notification was not heard within 10 s");
                        }
                        if (i >= 10)
                        {
                            floor.Add((Stopwatch.GetTimestamp() - committed) * 1000.0 / Stopwatch.Frequency);
                        }
                    }
                }
            }
            result["samples"] = samples;
            result["medianMs"] = Median(latencies);
            result["p99Ms"] = Percentile(latencies, 99);
            result["worstMs"] = latencies.Max();
            result["verificationsUntilSeenMedian"] = Median(verificationsUntilSeen);
            result["floorMedianMs"] = Median(floor);
            result["floorP99Ms"] = Percentile(floor, 99);
            result["floorWorstMs"] = floor.Max();
        }
        finally
        {
            Drop(engine, raw);
        }
    }

    // ---- PGV1-PGV3: the verifier under concurrency and attack (VerifierBench)

    /// <summary>
    /// A store of keys inserted directly (ids 1..count, secrets known to the benchmark), so that every round has keys
    /// never used; the floor reads the same rows with a raw prepared SELECT by id.
    /// </summary>
    public static void Verifier(int n, int rounds, int flood, Dictionary<string, object> result)
    {
        string schema = NewSchema("verifier");
        try
        {
            int count = n * (rounds + 1) + 110;
            OpenStore(schema).Dispose();
            string s = PostgresSchema.Quote(schema);
            using (NpgsqlConnection connection = Connect())
            using (var insert = new NpgsqlCommand(
                $"INSERT INTO {s}.api_keys (id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm) OVERRIDING SYSTEM VALUE " +
                "SELECT i, 'k' || i, 'K' || i, $1, 'CALL system.info', h, 'sha256' FROM unnest($2::integer[], $3::bytea[]) AS u(i, h)", connection))
            {
                int[] ids = Enumerable.Range(1, count).ToArray();
                insert.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), NpgsqlDbType = NpgsqlDbType.Bigint });
                insert.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                insert.Parameters.Add(new NpgsqlParameter
                {
                    Value = ids.Select(id => SHA256.HashData(Encoding.ASCII.GetBytes(Program.Secret(id)))).ToArray(),
                    NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
                });
                insert.ExecuteNonQuery();
                Execute(connection, $"SELECT setval(pg_get_serial_sequence('{s}.api_keys', 'id'), {count})");
                Execute(connection, $"ANALYZE {s}.api_keys");
            }
            string location = Server() + ";Schema=" + schema;
            int[] order = Enumerable.Range(1, count).ToArray();
            new Random(20240611).Shuffle(order);
            VerifierBench.Run(() => ApiKeyVerifier.Open(location), order.Take(n).Select(Program.Key).ToArray(),
                round => order.Skip(n * (round + 1)).Take(n).ToArray(), ids => Floor(schema, ids), rounds, result);
            string[] genuine = order.Skip(n * (rounds + 1)).Take(10).Select(Program.Key).ToArray();
            int[] others = order.Skip(n * (rounds + 1) + 10).Take(100).ToArray();
            VerifierBench.Flood(() => ApiKeyVerifier.Open(location), genuine, others, count + 1_000_000, flood, () =>
            {
                using (NpgsqlConnection connection = Connect())
                using (var size = new NpgsqlCommand(
                    "SELECT (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
                    $"WHERE n.nspname = $1 AND c.relkind = 'r')::bigint, (SELECT count(*) FROM {s}.audit_log)", connection))
                {
                    size.Parameters.Add(new NpgsqlParameter { Value = schema });
                    using (NpgsqlDataReader reader = size.ExecuteReader())
                    {
                        reader.Read();
                        return (reader.GetInt64(0), reader.GetInt64(1));
                    }
                }
            }, result);
            using (NpgsqlConnection connection = Connect())
            {
                result["server"] = connection.PostgreSqlVersion.ToString();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            Drop(schema);
        }
    }

    /// <summary>The engine's SELECT by id, prepared on a new connection (warmed on the first 200 rows), over the same rows.</summary>
    private static (double Seconds, double Cpu) Floor(string schema, int[] ids)
    {
        using (NpgsqlConnection connection = Connect())
        using (var select = new NpgsqlCommand($"SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist FROM {PostgresSchema.Quote(schema)}.api_keys " +
                                              $"WHERE id = $1 AND hash_algorithm = '{KeySecret.HashAlgorithm}'", connection))
        {
            NpgsqlParameter id = select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            select.Prepare();
            long sink = 0;
            // A new server process warms its caches on its first statements; the verifier's pooled connections are warm.
            foreach (int value in ids.Take(200))
            {
                id.Value = value;
                sink += select.ExecuteScalar() is string ? 0 : 1;
            }
            double cpu = VerifierBench.ThreadCpuSeconds();
            var watch = Stopwatch.StartNew();
            foreach (int value in ids)
            {
                id.Value = value;
                using (NpgsqlDataReader reader = select.ExecuteReader())
                {
                    if (reader.Read())
                    {
                        sink += reader.GetString(0).Length + ((byte[])reader.GetValue(1)).Length + reader.GetString(5).Length;
                    }
                }
            }
            double seconds = watch.Elapsed.TotalSeconds;
            cpu = VerifierBench.ThreadCpuSeconds() - cpu;
            if (sink == 0)
            {
                throw new InvalidOperationException("the floor read no rows");
            }
            return (seconds, cpu);
        }
    }
}
