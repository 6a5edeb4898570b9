using System;
using System.Collections.Generic;
using System.Globalization;
using Npgsql;

namespace ApiKeyModule
{
    /// <summary>
    /// Readies a PostgreSQL store on an open connection: checks the schema version without writing anything, and
    /// creates or upgrades the schema, once, however many hosts start at the same moment.
    /// </summary>
    internal static class PostgresConnection
    {
        private const string UndefinedTable = "42P01";
        private const string InvalidSchemaName = "3F000";
        private const string UndefinedColumn = "42703";

        /// <summary>
        /// The store's identity; null when the schema holds no store yet and <paramref name="create"/> is false (nothing is
        /// then created). Failures other than <see cref="ApiKeyException"/> come as Npgsql raised them.
        /// </summary>
        public static Guid? Prepare(NpgsqlConnection connection, string schema, string location, bool create)
        {
            // Nothing is written before the version check: a store newer than this module, or another application's
            // schema, stays untouched.
            Dictionary<string, string> info;
            try
            {
                info = ReadInfo(connection, schema, null);
            }
            catch (PostgresException e) when (e.SqlState == UndefinedTable || e.SqlState == InvalidSchemaName)
            {
                return create ? Migrate(connection, schema, location) : (Guid?)null;
            }
            catch (PostgresException e) when (e.SqlState == UndefinedColumn)
            {
                throw Foreign(schema, location, e);
            }
            int version = Version(info, schema, location);
            if (version > PostgresSchema.CurrentVersion)
            {
                throw StoreErrors.TooNew(location, version, PostgresSchema.CurrentVersion);
            }
            return version < PostgresSchema.CurrentVersion ? Migrate(connection, schema, location) : Id(info, schema, location);
        }

        /// <summary>
        /// One transaction under an advisory lock: a host that waited for it finds the work done (each statement sees what
        /// was committed before it began) and changes nothing. DDL is transactional: a failure leaves nothing behind.
        /// </summary>
        private static Guid Migrate(NpgsqlConnection connection, string schema, string location)
        {
            string s = PostgresSchema.Quote(schema);
            using (NpgsqlTransaction transaction = connection.BeginTransaction())
            {
                Execute(connection, "SELECT pg_advisory_xact_lock(" + PostgresSchema.MigrationLock.ToString(CultureInfo.InvariantCulture) + ")");
                bool schemaExists, hasInfo;
                long tables;
                using (var command = new NpgsqlCommand(
                    "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1), " +
                    "count(*) FILTER (WHERE c.relname = 'store_info'), count(*) " +
                    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')",
                    connection))
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = schema });
                    using (NpgsqlDataReader reader = command.ExecuteReader())
                    {
                        reader.Read();
                        schemaExists = reader.GetBoolean(0);
                        hasInfo = reader.GetInt64(1) > 0;
                        tables = reader.GetInt64(2);
                    }
                }
                int version = 0;
                Guid id;
                if (hasInfo)
                {
                    Dictionary<string, string> info;
                    try
                    {
                        info = ReadInfo(connection, schema, transaction);
                    }
                    catch (PostgresException e) when (e.SqlState == UndefinedColumn)
                    {
                        throw Foreign(schema, location, e);
                    }
                    version = Version(info, schema, location);
                    if (version > PostgresSchema.CurrentVersion)
                    {
                        throw StoreErrors.TooNew(location, version, PostgresSchema.CurrentVersion);
                    }
                    id = Id(info, schema, location);
                    if (version == PostgresSchema.CurrentVersion)
                    {
                        transaction.Commit();
                        return id;
                    }
                }
                else
                {
                    if (tables > 0)
                    {
                        throw Foreign(schema, location, null);
                    }
                    if (!schemaExists)
                    {
                        Execute(connection, "CREATE SCHEMA " + s);
                    }
                    id = Guid.NewGuid();
                }
                for (int next = version; next < PostgresSchema.CurrentVersion; next++)
                {
                    Execute(connection, PostgresSchema.Migration(next, schema, id));
                }
                Execute(connection, $"INSERT INTO {s}.store_info (key, value) VALUES ('version', '{PostgresSchema.CurrentVersion.ToString(CultureInfo.InvariantCulture)}') " +
                                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value");
                transaction.Commit();
                return id;
            }
        }

        /// <summary>The store's identity and version, read in one statement.</summary>
        public static Dictionary<string, string> ReadInfo(NpgsqlConnection connection, string schema, NpgsqlTransaction? transaction)
        {
            var info = new Dictionary<string, string>(StringComparer.Ordinal);
            using (var command = new NpgsqlCommand(
                "SELECT key, value FROM " + PostgresSchema.Quote(schema) + ".store_info WHERE key IN ('version', 'id')", connection, transaction))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    info[reader.GetString(0)] = reader.GetString(1);
                }
            }
            return info;
        }

        public static Guid Id(Dictionary<string, string> info, string schema, string location)
        {
            if (!info.TryGetValue("id", out string text) || !Guid.TryParse(text, out Guid id))
            {
                throw Foreign(schema, location, null);
            }
            return id;
        }

        private static int Version(Dictionary<string, string> info, string schema, string location)
        {
            if (!info.TryGetValue("version", out string text) ||
                !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            {
                throw Foreign(schema, location, null);
            }
            return version;
        }

        private static ApiKeyException Foreign(string schema, string location, Exception? inner) =>
            StoreErrors.NotAStore($"The schema '{SafeText.Escape(schema)}' of '{location}'", location, "it holds tables of another application",
                "Give another schema name, or a database where ApiKeyModule may create its own schema.", inner);

        private static void Execute(NpgsqlConnection connection, string sql)
        {
            using (var command = new NpgsqlCommand(sql, connection))
            {
                command.ExecuteNonQuery();
            }
        }
    }
}
