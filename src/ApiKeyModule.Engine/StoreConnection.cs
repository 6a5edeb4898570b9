using System;
using System.Globalization;
using System.IO;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>Opens a store file: creates it privately on first use, sets the pragmas, and brings the schema up to date.</summary>
    internal static class StoreConnection
    {
        public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

        public static SqliteConnection Open(string path, TimeSpan busyTimeout)
        {
            SqliteNative.EnsureInitialized();
            if (Directory.Exists(path))
            {
                throw StoreErrors.Unavailable(path, "it is a folder, not a file");
            }
            StoreTrust.Check(path);
            if (!File.Exists(path))
            {
                CreateFile(path);
            }
            return Connect(path, SqliteOpenMode.ReadWrite, pooled: true, busyTimeout, connection => Prepare(connection, path));
        }

        /// <summary>
        /// Another connection to a store that <see cref="Open"/> has opened: read-only, for a verifier's concurrent
        /// verifications. SQLite keeps up to 16 MB of the file in memory for each (its default is 2 MB): a verifier looks
        /// keys up at random.
        /// </summary>
        public static SqliteConnection OpenReader(string path, TimeSpan busyTimeout)
        {
            // Kept open by the verifier, and closed for good with it.
            return Connect(path, SqliteOpenMode.ReadOnly, pooled: false, busyTimeout, connection => Execute(connection, "PRAGMA cache_size = -16384"));
        }

        /// <summary>A connection opened and readied; on a failure it is closed and the failure is a store error.</summary>
        private static SqliteConnection Connect(string path, SqliteOpenMode mode, bool pooled, TimeSpan busyTimeout, Action<SqliteConnection> ready)
        {
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = mode,
                DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
                Pooling = pooled,
            };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                // Opened and closed through the pool's lock even when not pooled: the library's pool code is shared.
                SqlitePool.Open(connection);
                Execute(connection, "PRAGMA busy_timeout = " + ((int)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                ready(connection);
                return connection;
            }
            catch (SqliteException e)
            {
                SqlitePool.Close(connection);
                throw SqliteErrors.From(e, path);
            }
            catch
            {
                SqlitePool.Close(connection);
                throw;
            }
        }

        private static void CreateFile(string path)
        {
            try
            {
                UnixPermissions.CreatePrivateFile(path, StoreTrust.IsShared);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first.
            }
            catch (UnauthorizedAccessException e)
            {
                throw StoreErrors.ReadOnly(path, e);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                throw StoreErrors.Unavailable(path, e.Message, e);
            }
        }

        private static void Prepare(SqliteConnection connection, string path)
        {
            // Nothing is written before the version check: a store newer than this module stays untouched.
            // One statement, one snapshot: another process may be creating the schema at this very moment.
            int version;
            long objects;
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = "SELECT (SELECT user_version FROM pragma_user_version), (SELECT count(*) FROM sqlite_master)";
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    reader.Read();
                    version = reader.GetInt32(0);
                    objects = reader.GetInt64(1);
                }
            }
            if (version > StoreSchema.CurrentVersion)
            {
                throw StoreErrors.TooNew(path, version);
            }
            if (version == 0 && objects > 0)
            {
                throw StoreErrors.NotAStore(path, "it is a SQLite database of another application");
            }
            if (!"wal".Equals(Scalar(connection, "PRAGMA journal_mode") as string, StringComparison.OrdinalIgnoreCase))
            {
                Execute(connection, "PRAGMA journal_mode = WAL");
            }
            // FULL: a commit (a delete, a reset) survives a power cut once the cmdlet has returned.
            Execute(connection, "PRAGMA synchronous = FULL");
            if (version < StoreSchema.CurrentVersion)
            {
                Migrate(connection);
            }
        }

        private static void Migrate(SqliteConnection connection)
        {
            using (SqliteTransaction transaction = connection.BeginTransaction())
            {
                // Another process may have migrated while this one waited for the write lock.
                int version = Convert.ToInt32(Scalar(connection, "PRAGMA user_version", transaction), CultureInfo.InvariantCulture);
                for (int next = version; next < StoreSchema.CurrentVersion; next++)
                {
                    Execute(connection, StoreSchema.Migrations[next], transaction);
                }
                Execute(connection, "PRAGMA user_version = " + StoreSchema.CurrentVersion.ToString(CultureInfo.InvariantCulture), transaction);
                transaction.Commit();
            }
        }

        internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.Transaction = transaction;
                command.ExecuteNonQuery();
            }
        }

        internal static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = sql;
                command.Transaction = transaction;
                return command.ExecuteScalar();
            }
        }
    }
}
