using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using ApiKeyModule;
using Microsoft.Data.Sqlite;

/// <summary>P2: bulk creation. The floor (raw per-row commits) and its variants, and the engine alone.</summary>
internal static class CreateBench
{
    // The module's own schema, every version applied, for the floor's database.
    private static readonly string Schema = string.Concat(ApiKeyModule.StoreSchema.Migrations);

    public static void FloorCreate(string folder, int n, Dictionary<string, object> result)
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
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        {
            SqliteHarness.Execute(connection, "PRAGMA journal_mode = WAL");
            SqliteHarness.Execute(connection, "PRAGMA synchronous = " + synchronous);
            SqliteHarness.Execute(connection, "PRAGMA busy_timeout = 30000");
            using (SqliteTransaction schema = connection.BeginTransaction())
            {
                SqliteHarness.Execute(connection, Schema, schema);
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
            return Harness.TimeCreates(store, 1, n);
        }
    }
}
