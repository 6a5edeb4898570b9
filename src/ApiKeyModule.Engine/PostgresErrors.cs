using System;
using System.Diagnostics.CodeAnalysis;
using System.IO;
using System.Net.Sockets;
using Npgsql;

namespace ApiKeyModule
{
    /// <summary>Turns PostgreSQL failures (by SQLSTATE) into the store errors SQLite's give, with remedies for a server.</summary>
    internal static class PostgresErrors
    {
        public const string ConnectionRemedy =
            "Check Host, Port, Database and Username in the connection string, and that the server is running and can be reached from here.";

        public const string UniqueViolation = "23505";
        public const string SerializationFailure = "40001";
        public const string DeadlockDetected = "40P01";

        /// <summary>The failures this class maps: the driver's, and a connection string it cannot use.</summary>
        public static bool Maps(Exception e) => e is NpgsqlException || e is ArgumentException;

        public static bool IsRetryable(Exception e) =>
            e is PostgresException p && (p.SqlState == SerializationFailure || p.SqlState == DeadlockDetected);

        public static ApiKeyException From(Exception e, string location, string schema, string?[] secrets)
        {
            if (e is PostgresException p)
            {
                return FromServer(p, location, schema, secrets);
            }
            if (e is ArgumentException)
            {
                return StoreErrors.Unavailable(location, "the connection string is not valid (" + Scrub(e.Message, secrets) + ")", ConnectionRemedy, null);
            }
            if (Find<TimeoutException>(e) != null)
            {
                return StoreErrors.Unavailable(location, "the server did not answer in time", ConnectionRemedy, e);
            }
            Exception cause = (Exception?)Find<SocketException>(e) ?? Find<IOException>(e) ?? e;
            string reason = cause == e ? e.Message : e.Message.TrimEnd('.', ' ') + ": " + cause.Message;
            return StoreErrors.Unavailable(location, Scrub(reason, secrets), ConnectionRemedy, e);
        }

        private static ApiKeyException FromServer(PostgresException e, string location, string schema, string?[] secrets)
        {
            string message = Scrub(e.MessageText, secrets);
            switch (e.SqlState)
            {
                case "55P03":
                    return StoreErrors.Busy(location,
                        "stayed locked by another session for longer than the busy timeout. Try again when the other session has finished.", e);
                case SerializationFailure:
                case DeadlockDetected:
                    return StoreErrors.Busy(location,
                        "kept meeting concurrent changes (" + message + "). Try again.", e);
                case "42501":
                    return StoreErrors.ReadOnly(location, "refused what this role asked (" + message + ")",
                        $"Ask the database administrator to grant the role the privileges it needs on the schema '{schema}', or use a role that has them.", e);
                case "28P01":
                case "28000":
                    return StoreErrors.Unavailable(location, "the server refused the login (" + message + ")", Remedies.CheckLogin, e);
                case "3D000":
                    return StoreErrors.Unavailable(location, message, "Check Database in the connection string, or create the database first.", e);
                case "3F000":
                case "42P01":
                    return StoreErrors.Unavailable(location, $"the schema '{schema}' or one of its tables is gone ({message})",
                        "Open the store again to create a new one, or restore the schema from a backup.", e);
                case "53100":
                    return StoreErrors.Full(location,
                        $"The disk of the server holding the store '{location}' is full. Free some space on the server and try again.", e);
                case "57P01":
                case "57P02":
                case "57P03":
                case "53300":
                    return StoreErrors.Unavailable(location, message, "Try again when the server is running and accepts connections.", e);
                default:
                    if (e.SqlState.StartsWith("08", StringComparison.Ordinal))
                    {
                        return StoreErrors.Unavailable(location, message, ConnectionRemedy, e);
                    }
                    return StoreErrors.Error(location, message + " (SQLSTATE " + e.SqlState + ")", e);
            }
        }

        /// <summary>Removes every password this store knows of from a text taken from elsewhere.</summary>
        [return: NotNullIfNotNull(nameof(text))]
        public static string? Scrub(string? text, string?[] secrets)
        {
            if (text == null || secrets == null)
            {
                return text;
            }
            foreach (string? secret in secrets)
            {
                // Shorter ones would also blank ordinary words; such a password protects nothing anyway.
                if (secret != null && secret.Length >= 3)
                {
                    text = text.Replace(secret, "********");
                }
            }
            return text;
        }

        private static T? Find<T>(Exception e) where T : Exception
        {
            for (Exception? current = e; current != null; current = current.InnerException)
            {
                if (current is T found)
                {
                    return found;
                }
            }
            return null;
        }
    }
}
