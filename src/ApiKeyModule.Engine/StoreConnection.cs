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
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadWrite,
                DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
                Pooling = true,
            };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                SqlitePool.Open(connection);
                Execute(connection, "PRAGMA busy_timeout = " + ((int)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                Prepare(connection, path);
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

        /// <summary>
        /// Another connection to a store that <see cref="Open"/> has opened: read-only, for a verifier's concurrent
        /// verifications. SQLite keeps up to 16 MB of the file in memory for each (its default is 2 MB): a verifier looks
        /// keys up at random.
        /// </summary>
        public static SqliteConnection OpenReader(string path, TimeSpan busyTimeout)
        {
            var builder = new SqliteConnectionStringBuilder
            {
                DataSource = path,
                Mode = SqliteOpenMode.ReadOnly,
                DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
                // Kept open by the verifier, and closed for good with it.
                Pooling = false,
            };
            var connection = new SqliteConnection(builder.ToString());
            try
            {
                // Not pooled, but opened and closed through the pool's lock all the same: the library's pool code is shared.
                SqlitePool.Open(connection);
                Execute(connection, "PRAGMA busy_timeout = " + ((int)busyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
                Execute(connection, "PRAGMA cache_size = -16384");
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
