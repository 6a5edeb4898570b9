using System;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace ApiKeyModule
{
    /// <summary>
    /// How to open a store again: a file path, or a PostgreSQL connection with the credential it was opened with. Kept
    /// on each key object (not shown: it may hold a password) so that the key acts on the store it came from.
    /// </summary>
    internal sealed class StoreOrigin
    {
        private static readonly string[] CredentialKeywords = { "Username", "User ID", "User", "UserName", "Password", "PWD", "PSW" };

        private StoreOrigin()
        {
        }

        /// <summary>The file of a SQLite store; null for PostgreSQL.</summary>
        public string? FilePath { get; private set; }

        /// <summary>The connection string of a PostgreSQL store, credential applied; null for SQLite.</summary>
        public string? ConnectionString { get; private set; }

        /// <summary>The PostgreSQL schema the store lives in; null: the default.</summary>
        public string? Schema { get; private set; }

        [MemberNotNullWhen(true, nameof(ConnectionString))]
        [MemberNotNullWhen(false, nameof(FilePath))]
        public bool IsPostgres => ConnectionString != null;

        /// <summary>
        /// The store <paramref name="location"/> names (a path, a connection string or a postgresql:// URI), else the one
        /// $APIKEYMODULE_STORE names (either), else the per-user file. A credential is for a PostgreSQL store only.
        /// </summary>
        public static StoreOrigin Resolve(string? location, NetworkCredential? credential)
        {
            string? chosen = string.IsNullOrWhiteSpace(location) ? Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable) : location;
            if (!StoreAddress.IsPostgres(chosen))
            {
                if (credential != null)
                {
                    throw new ApiKeyException(ErrorIds.CredentialNotUsed, ApiKeyErrorCategory.InvalidArgument,
                        "A credential is used only to connect to a PostgreSQL store, and the store given is a file. Give a connection string with the credential, or leave the credential out.");
                }
                return new StoreOrigin { FilePath = ResolveFile(location, chosen) };
            }
            var builder = new DbConnectionStringBuilder();
            try
            {
                builder.ConnectionString = StoreAddress.ToConnectionString(chosen);
            }
            catch (ArgumentException e)
            {
                throw StoreErrors.Unavailable("(connection string)", "the connection string does not parse: " + e.Message, e);
            }
            string? schema = null;
            if (builder.TryGetValue("Schema", out object given))
            {
                schema = Convert.ToString(given, System.Globalization.CultureInfo.InvariantCulture);
                builder.Remove("Schema");
            }
            if (credential != null)
            {
                foreach (string keyword in CredentialKeywords)
                {
                    builder.Remove(keyword);
                }
                builder["Username"] = credential.UserName;
                builder["Password"] = credential.Password;
            }
            return new StoreOrigin { ConnectionString = builder.ConnectionString, Schema = schema };
        }

        /// <summary>
        /// The full path of the store file; an unusable one is StoreUnavailable, naming <paramref name="shown"/> (the path
        /// given, else $APIKEYMODULE_STORE's; null for the per-user store).
        /// </summary>
        private static string ResolveFile(string? path, string? shown)
        {
            try
            {
                return StoreLocation.Resolve(path);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is System.IO.PathTooLongException)
            {
                throw StoreErrors.Unavailable(shown ?? "(the per-user store)", e.Message, e);
            }
        }
    }
}
