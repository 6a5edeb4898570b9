using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ApiKeyModule;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// PG1: bulk creation on PostgreSQL. The floor: raw Npgsql in a schema of its own holding the store's own tables, a
/// transaction per key, prepared statements; and the engine alone.
/// </summary>
internal static class PostgresCreateBench
{
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
        using (ApiKeyStore store = PostgresHarness.OpenStore(schema))
        {
            return Harness.TimeCreates(store, first, n);
        }
    }

    public static void FloorCreate(int n, Dictionary<string, object> result)
    {
        string raw = PostgresHarness.NewSchema("raw"), engine = PostgresHarness.NewSchema("engine");
        try
        {
            using (NpgsqlConnection connection = PostgresHarness.Connect())
            {
                result["server"] = connection.PostgreSqlVersion.ToString();
                PostgresHarness.CreateRawSchema(connection, raw);
                RawCreate(connection, raw, 1000000, 100);   // warm-up: JIT, first pages
                result["floorPerRowSeconds"] = RawCreate(connection, raw, 1, n);
            }
            EngineCreate(engine, 1000000, 100);
            result["engineCreateSeconds"] = EngineCreate(engine, 1, n);
            result["n"] = n;
        }
        finally
        {
            PostgresHarness.Drop(raw, engine);
        }
    }
}
