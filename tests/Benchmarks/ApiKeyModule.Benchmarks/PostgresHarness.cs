using System;
using ApiKeyModule;
using Npgsql;

/// <summary>
/// The PostgreSQL server named by APIKEYMODULE_BENCH_POSTGRES, where the PG and PGV figures run: each store, and each
/// floor's tables, in a schema of its own, dropped at the end; floors through raw Npgsql.
/// </summary>
internal static class PostgresHarness
{
    public const string Variable = "APIKEYMODULE_BENCH_POSTGRES";

    public static string Server()
    {
        string connectionString = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrEmpty(connectionString))
        {
            throw new InvalidOperationException(Variable + " is not set.");
        }
        return connectionString;
    }

    public static string NewSchema(string what) => "bench_" + what + "_" + Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <summary>What the engine opens for the store in <paramref name="schema"/>.</summary>
    public static string Location(string schema) => Server() + ";Schema=" + schema;

    public static ApiKeyStore OpenStore(string schema) => ApiKeyStore.Open(Location(schema));

    public static ApiKeyVerifier OpenVerifier(string schema) => ApiKeyVerifier.Open(Location(schema));

    /// <summary>
    /// The engine's SELECT of a key by id as a verifier makes it on a cache miss, on the api_keys of
    /// <paramref name="schema"/>: the lookup of the floors.
    /// </summary>
    public static string LookupForVerify(string schema) =>
        $"SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist FROM {PostgresSchema.Quote(schema)}.api_keys WHERE id = $1 AND hash_algorithm = '{KeySecret.HashAlgorithm}'";

    public static NpgsqlConnection Connect()
    {
        var connection = new NpgsqlConnection(Server() + ";Pooling=false");
        connection.Open();
        return connection;
    }

    public static void Execute(NpgsqlConnection connection, string sql)
    {
        using (var command = new NpgsqlCommand(sql, connection))
        {
            command.ExecuteNonQuery();
        }
    }

    /// <summary>A schema with the store's tables, indexes and triggers (every version), for raw statements.</summary>
    public static void CreateRawSchema(NpgsqlConnection connection, string schema)
    {
        Execute(connection, "CREATE SCHEMA " + PostgresSchema.Quote(schema));
        Guid storeId = Guid.NewGuid();
        for (int version = 0; version < PostgresSchema.CurrentVersion; version++)
        {
            Execute(connection, PostgresSchema.Migration(version, schema, storeId));
        }
    }

    public static void Drop(params string[] schemas)
    {
        using (NpgsqlConnection connection = Connect())
        {
            foreach (string schema in schemas)
            {
                Execute(connection, "DROP SCHEMA IF EXISTS " + PostgresSchema.Quote(schema) + " CASCADE");
            }
        }
    }
}
