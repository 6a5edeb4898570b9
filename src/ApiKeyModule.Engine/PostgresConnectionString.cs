using System;
using System.Data.Common;
using System.Globalization;
using Npgsql;

namespace ApiKeyModule
{
    /// <summary>The connection strings of a PostgreSQL store: as shown to the user (never with a password), and as used.</summary>
    internal static class PostgresConnectionString
    {
        public const string ApplicationName = "ApiKeyModule";
        public const string ListenerApplicationName = "ApiKeyModule listener";

        /// <summary>The store's location as shown everywhere: the connection string without its password or password file.</summary>
        public static string Describe(string connectionString)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                builder.Remove("Password");
                builder.Remove("Passfile");
                return builder.ToString();
            }
            catch (ArgumentException)
            {
                return DescribeUnreadable(connectionString);
            }
        }

        /// <summary>The passwords that must never be shown: the one in the connection string and PGPASSWORD.</summary>
        public static string?[] Secrets(string connectionString)
        {
            string? given = null;
            try
            {
                given = new NpgsqlConnectionStringBuilder(connectionString).Password;
            }
            catch (ArgumentException)
            {
                given = GenericValue(connectionString, "password", "pwd", "psw");
            }
            return new[] { given, Environment.GetEnvironmentVariable("PGPASSWORD") };
        }

        /// <summary>
        /// What the store connects with: the user's string with the busy timeout as lock_timeout (and as the connect
        /// timeout when it is shorter than Npgsql's), a hung session's
        /// transaction ended, dead clients and servers noticed (keepalive on both sides), and command timeouts longer
        /// than the lock wait, so that a wait ends as StoreBusy rather than as a cancelled command.
        /// </summary>
        public static string ForStore(string connectionString, NpgsqlConnectionStringBuilder given, TimeSpan busyTimeout)
        {
            var builder = new NpgsqlConnectionStringBuilder(given.ConnectionString);
            long lockMs = Math.Max(1, (long)busyTimeout.TotalMilliseconds);
            long idleMs = Math.Max(lockMs, 10_000);
            builder.Options = string.Join(" ",
                "-c lock_timeout=" + lockMs.ToString(CultureInfo.InvariantCulture),
                "-c idle_in_transaction_session_timeout=" + idleMs.ToString(CultureInfo.InvariantCulture),
                // The server notices a vanished client host within about 25 s and frees its locks.
                "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3",
                given.Options ?? "").Trim();
            if (string.IsNullOrEmpty(given.ApplicationName))
            {
                builder.ApplicationName = ApplicationName;
            }
            if (!Given(connectionString, "Timeout"))
            {
                // A caller that waits little for a busy store (tab completion) waits as little for a server that does
                // not answer; others keep Npgsql's 15 s.
                builder.Timeout = (int)Math.Max(1, Math.Min(builder.Timeout, Math.Ceiling(busyTimeout.TotalSeconds)));
            }
            if (!Given(connectionString, "CommandTimeout"))
            {
                builder.CommandTimeout = (int)Math.Min(int.MaxValue, Math.Ceiling(busyTimeout.TotalSeconds) + 30);
            }
            if (!Given(connectionString, "Keepalive"))
            {
                builder.KeepAlive = 30;
            }
            builder.TcpKeepAlive = true;
            if (!Given(connectionString, "MaxAutoPrepare"))
            {
                builder.MaxAutoPrepare = 32;
            }
            return builder.ConnectionString;
        }

        /// <summary>The verifier's listening connection: its own (not pooled), named so that it can be found, quick to give up.</summary>
        public static string ForListener(string storeConnectionString)
        {
            var builder = new NpgsqlConnectionStringBuilder(storeConnectionString)
            {
                Pooling = false,
                ApplicationName = ListenerApplicationName,
                Timeout = 5,
                CommandTimeout = 5,
                KeepAlive = 0,
                MaxAutoPrepare = 0,
            };
            return builder.ConnectionString;
        }

        public static NpgsqlConnectionStringBuilder Parse(string connectionString, string location, string?[] secrets)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
            {
                throw StoreErrors.Unavailable(location, "the connection string is empty", PostgresErrors.ConnectionRemedy, null);
            }
            try
            {
                return new NpgsqlConnectionStringBuilder(connectionString);
            }
            catch (ArgumentException e)
            {
                throw StoreErrors.Unavailable(location, "the connection string cannot be read (" + PostgresErrors.Scrub(e.Message, secrets) + ")",
                    "Write it as Host=…;Port=…;Database=…;Username=… (the keywords Npgsql knows).", null);
            }
        }

        /// <summary>Whether the user's string sets the keyword (written with or without spaces, in any case).</summary>
        private static bool Given(string connectionString, string keyword)
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (string key in builder.Keys)
            {
                if (string.Equals(key.Replace(" ", ""), keyword, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        private static string DescribeUnreadable(string connectionString)
        {
            try
            {
                var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
                foreach (string key in new[] { "password", "pwd", "psw", "passfile" })
                {
                    builder.Remove(key);
                }
                return builder.ToString();
            }
            catch (ArgumentException)
            {
                return "(a connection string that cannot be read)";
            }
        }

        private static string? GenericValue(string connectionString, params string[] keys)
        {
            try
            {
                var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
                foreach (string key in keys)
                {
                    if (builder.TryGetValue(key, out object value))
                    {
                        return Convert.ToString(value, CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (ArgumentException)
            {
                // Not even key=value pairs: nothing can be picked out.
            }
            return null;
        }
    }
}
