using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ApiKeyModule;
using Npgsql;
using NpgsqlTypes;

/// <summary>PGV1-PGV4: the verifier's figures of <see cref="VerifierBench"/>, on PostgreSQL.</summary>
internal static class PostgresVerifierBench
{
    /// <summary>
    /// A store of keys inserted directly (ids 1..count, secrets known to the benchmark), so that every round has keys
    /// never used; the floor reads the same rows with a raw prepared SELECT by id.
    /// </summary>
    public static void Verifier(int n, int rounds, int flood, Dictionary<string, object> result)
    {
        string schema = PostgresHarness.NewSchema("verifier");
        try
        {
            int count = n * (rounds + 1) + 110;
            PostgresHarness.OpenStore(schema).Dispose();
            string s = PostgresSchema.Quote(schema);
            using (NpgsqlConnection connection = PostgresHarness.Connect())
            using (var insert = new NpgsqlCommand(
                $"INSERT INTO {s}.api_keys (id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm) OVERRIDING SYSTEM VALUE " +
                "SELECT i, 'k' || i, 'K' || i, $1, 'CALL system.info', h, 'sha256' FROM unnest($2::integer[], $3::bytea[]) AS u(i, h)", connection))
            {
                int[] ids = Enumerable.Range(1, count).ToArray();
                insert.Parameters.Add(new NpgsqlParameter { Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), NpgsqlDbType = NpgsqlDbType.Bigint });
                insert.Parameters.Add(new NpgsqlParameter { Value = ids, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
                insert.Parameters.Add(new NpgsqlParameter
                {
                    Value = ids.Select(id => KnownKeys.Hash(KnownKeys.Secret(id))).ToArray(),
                    NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
                });
                insert.ExecuteNonQuery();
                PostgresHarness.Execute(connection, $"SELECT setval(pg_get_serial_sequence('{s}.api_keys', 'id'), {count})");
                PostgresHarness.Execute(connection, $"ANALYZE {s}.api_keys");
            }
            string location = PostgresHarness.Location(schema);
            int[] order = KnownKeys.Shuffled(count);
            VerifierBench.Run(() => ApiKeyVerifier.Open(location), order.Take(n).Select(KnownKeys.Key).ToArray(),
                round => order.Skip(n * (round + 1)).Take(n).ToArray(), ids => Floor(schema, ids), rounds, result);
            string[] genuine = order.Skip(n * (rounds + 1)).Take(10).Select(KnownKeys.Key).ToArray();
            int[] others = order.Skip(n * (rounds + 1) + 10).Take(100).ToArray();
            VerifierBench.Flood(() => ApiKeyVerifier.Open(location), genuine, others, count + 1_000_000, flood, () =>
            {
                using (NpgsqlConnection connection = PostgresHarness.Connect())
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
            using (NpgsqlConnection connection = PostgresHarness.Connect())
            {
                result["server"] = connection.PostgreSqlVersion.ToString();
            }
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            PostgresHarness.Drop(schema);
        }
    }

    /// <summary>The engine's SELECT by id, prepared on a new connection (warmed on the first 200 rows), over the same rows.</summary>
    private static (double Seconds, double Cpu) Floor(string schema, int[] ids)
    {
        using (NpgsqlConnection connection = PostgresHarness.Connect())
        using (var select = new NpgsqlCommand(PostgresHarness.LookupForVerify(schema), connection))
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
            double cpu = Harness.ThreadCpuSeconds();
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
            cpu = Harness.ThreadCpuSeconds() - cpu;
            if (sink == 0)
            {
                throw new InvalidOperationException("the floor read no rows");
            }
            return (seconds, cpu);
        }
    }
}
