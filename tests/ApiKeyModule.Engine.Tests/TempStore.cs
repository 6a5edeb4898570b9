using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A fresh empty store for one test, removed afterwards: a file in a folder of its own, or, when
    /// APIKEYMODULE_TEST_POSTGRES holds a connection string, a schema of its own on that server.
    /// </summary>
    internal sealed class TempStore : IDisposable
    {
        public const string PostgresVariable = "APIKEYMODULE_TEST_POSTGRES";

        /// <summary>The server the tests run against, or null for SQLite.</summary>
        public static readonly string Server = Environment.GetEnvironmentVariable(PostgresVariable) is string value && !string.IsNullOrWhiteSpace(value) ? value : null;

        public TempStore()
            : this(IsPostgres)
        {
        }

        /// <summary>A store of the kind asked for, whatever the tests run against (PostgreSQL needs the server).</summary>
        public TempStore(bool postgres)
        {
            Postgres = postgres;
            Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apikeymodule-xunit-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            if (postgres)
            {
                Schema = "t_" + Guid.NewGuid().ToString("N");
                ConnectionString = new NpgsqlConnectionStringBuilder(Server) { SearchPath = Schema }.ConnectionString;
                Location = Server + ";Schema=" + Schema;
                Path_ = PostgresConnectionString.Describe(Server) + ";Schema=" + Schema;
            }
            else
            {
                Path_ = System.IO.Path.Combine(Folder, "sub", "apikeys.db");
                Location = Path_;
            }
        }

        public static bool IsPostgres => Server != null;

        /// <summary>Whether this store is in PostgreSQL.</summary>
        public bool Postgres { get; }

        public string Folder { get; }

        /// <summary>The store's location as it reports it: the file's path, or the connection string without its password.</summary>
        public string Path_ { get; }

        /// <summary>PostgreSQL only: the schema that holds the store, and the connection string to it.</summary>
        public string Schema { get; }
        public string ConnectionString { get; }

        /// <summary>What ApiKeyStore.Open takes: the file's path, or the connection string with the store's schema.</summary>
        public string Location { get; }

        public ApiKeyStore Open(TimeSpan? busyTimeout = null) =>
            ApiKeyStore.Open(Location, busyTimeout);

        /// <summary>A key made through a store of its own, closed before the test goes on, as another process would make it.</summary>
        public IssuedApiKey CreateKey(string name, IReadOnlyList<AllowlistEntry> allowlist)
        {
            using (ApiKeyStore store = Open())
            {
                return store.Create(name, allowlist);
            }
        }

        public ApiKeyVerifier OpenVerifier() => ApiKeyVerifier.Open(Location);

        /// <summary>A verifier that writes what it records within <paramref name="flush"/> (checked every <paramref name="tick"/>) instead of 15 s.</summary>
        public ApiKeyVerifier OpenVerifier(TimeSpan flush, TimeSpan tick) => ApiKeyVerifier.Open(Location, flush, tick);

        /// <summary>
        /// The store's size on disk with every connection of this process closed: the file and its WAL, or the store's
        /// tables with their indexes and TOAST.
        /// </summary>
        public long Bytes()
        {
            if (Postgres)
            {
                NpgsqlConnection.ClearAllPools();
                return Convert.ToInt64(Sql("SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace " +
                                           "WHERE n.nspname = @schema AND c.relkind = 'r'", ("schema", Schema)));
            }
            SqliteConnection.ClearAllPools();
            long bytes = 0;
            foreach (string file in new[] { Path_, Path_ + "-wal" })
            {
                if (File.Exists(file))
                {
                    bytes += new FileInfo(file).Length;
                }
            }
            return bytes;
        }

        /// <summary>
        /// Runs SQL on the store directly, as another tool would: on the file, or in the store's schema. Parameters are
        /// named @name in the SQL, which both understand.
        /// </summary>
        public object Sql(string sql, params (string Name, object Value)[] parameters)
        {
            if (Postgres)
            {
                using (var connection = new NpgsqlConnection(ConnectionString))
                {
                    connection.Open();
                    using (var command = new NpgsqlCommand(sql, connection))
                    {
                        foreach ((string name, object value) in parameters)
                        {
                            command.Parameters.AddWithValue(name, value);
                        }
                        return command.ExecuteScalar();
                    }
                }
            }
            using (var connection = new SqliteConnection("Data Source=" + Path_ + ";Pooling=False"))
            {
                connection.Open();
                using (SqliteCommand command = connection.CreateCommand())
                {
                    command.CommandText = sql;
                    foreach ((string name, object value) in parameters)
                    {
                        command.Parameters.AddWithValue("@" + name, value);
                    }
                    return command.ExecuteScalar();
                }
            }
        }

        public void Dispose()
        {
            if (Postgres)
            {
                // Each test's schema has its own connection strings, hence its own pools: close their idle connections.
                NpgsqlConnection.ClearAllPools();
                Sql("DROP SCHEMA IF EXISTS " + PostgresSchema.Quote(Schema) + " CASCADE");
            }
            else
            {
                SqlitePool.Clear();
            }
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }
}
