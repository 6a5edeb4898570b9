using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>
    /// The SQLite store shared by every session and process of a user. Each change is one durable transaction.
    /// Not thread-safe: use one instance per thread.
    /// </summary>
    public sealed class ApiKeyStore : IDisposable
    {
        private const string Columns = "id, name, created_at, allowlist";
        private readonly SqliteConnection connection;
        private SqliteCommand insert;
        private SqliteTransaction transaction;

        private ApiKeyStore(string path, SqliteConnection connection)
        {
            Path = path;
            this.connection = connection;
        }

        public string Path { get; }

        /// <summary>Opens (creating on first use) the store at <paramref name="path"/>, or the default one (<see cref="StoreLocation.Resolve"/>).</summary>
        public static ApiKeyStore Open(string path = null, TimeSpan? busyTimeout = null)
        {
            string resolved;
            try
            {
                resolved = StoreLocation.Resolve(path);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is System.IO.PathTooLongException)
            {
                throw StoreErrors.Unavailable(path, e.Message, e);
            }
            return new ApiKeyStore(resolved, StoreConnection.Open(resolved, busyTimeout ?? StoreConnection.DefaultBusyTimeout));
        }

        public IssuedApiKey Create(string name, IReadOnlyList<AllowlistEntry> allowlist)
        {
            NameRules.Validate(name);
            allowlist = AllowlistRules.Normalize(allowlist ?? new AllowlistEntry[0]);
            string secret = KeySecret.Generate();
            DateTime createdAt = Now();
            if (insert == null)
            {
                insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm) " +
                                     "VALUES ($name, $folded, $created, $allowlist, $hash, $algorithm) RETURNING id";
                insert.Parameters.Add("$name", SqliteType.Text);
                insert.Parameters.Add("$folded", SqliteType.Text);
                insert.Parameters.Add("$created", SqliteType.Integer);
                insert.Parameters.Add("$allowlist", SqliteType.Text);
                insert.Parameters.Add("$hash", SqliteType.Blob);
                insert.Parameters.AddWithValue("$algorithm", KeySecret.HashAlgorithm);
            }
            insert.Parameters["$name"].Value = name;
            insert.Parameters["$folded"].Value = NameRules.Fold(name);
            insert.Parameters["$created"].Value = ToUnixMilliseconds(createdAt);
            insert.Parameters["$allowlist"].Value = AllowlistColumn.Write(allowlist);
            insert.Parameters["$hash"].Value = KeySecret.Hash(secret);
            int id;
            try
            {
                id = Convert.ToInt32(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
            }
            catch (SqliteException e)
            {
                throw Translate(e, name);
            }
            return new IssuedApiKey(new ApiKey(id, name, createdAt, allowlist), KeySecret.Format(id, secret));
        }

        /// <summary>The key with this id, or null.</summary>
        public ApiKey Get(int id)
        {
            foreach (ApiKey key in Query("WHERE id = $p", id))
            {
                return key;
            }
            return null;
        }

        /// <summary>The key with this name (ignoring case), or null.</summary>
        public ApiKey GetByName(string name)
        {
            foreach (ApiKey key in Query("WHERE name_folded = $p", NameRules.Fold(name)))
            {
                return key;
            }
            return null;
        }

        /// <summary>All keys by id, read as they are enumerated.</summary>
        public IEnumerable<ApiKey> List() => Query("ORDER BY id", null);

        /// <summary>Keys whose name starts with <paramref name="prefix"/> ignoring case, by id; found through the name index.</summary>
        public IEnumerable<ApiKey> ListByNamePrefix(string prefix)
        {
            if (string.IsNullOrEmpty(prefix))
            {
                return List();
            }
            // U+10FFFF sorts after every character in SQLite's byte order, so this is the range of names with the prefix.
            return Query("WHERE name_folded >= $p AND name_folded < $p || char(1114111) ORDER BY id", NameRules.Fold(prefix));
        }

        /// <summary>Applies the changes in one transaction; returns an <see cref="IssuedApiKey"/> when the key was reset.</summary>
        public ApiKey Update(int id, ApiKeyChanges changes)
        {
            if (changes == null || changes.IsEmpty)
            {
                throw new ApiKeyException("NoChangeRequested", ApiKeyErrorCategory.InvalidArgument,
                    "Nothing to change. Give -Name, -Allowlist or -Reset.", id);
            }
            string name = changes.Name == null ? null : NameRules.Validate(changes.Name);
            IReadOnlyList<AllowlistEntry> allowlist = changes.Allowlist == null ? null : AllowlistRules.Normalize(changes.Allowlist);
            try
            {
                using (transaction = connection.BeginTransaction())
                {
                    ApiKey current = Get(id) ?? throw NotFound(id);
                    string secret = changes.Reset ? KeySecret.Generate() : null;
                    using (SqliteCommand command = connection.CreateCommand())
                    {
                        command.Transaction = transaction;
                        command.CommandText = "UPDATE api_keys SET name = $name, name_folded = $folded, allowlist = $allowlist" +
                                              (secret != null ? ", key_hash = $hash, hash_algorithm = $algorithm" : "") + " WHERE id = $id";
                        command.Parameters.AddWithValue("$id", id);
                        command.Parameters.AddWithValue("$name", name ?? current.Name);
                        command.Parameters.AddWithValue("$folded", NameRules.Fold(name ?? current.Name));
                        command.Parameters.AddWithValue("$allowlist", AllowlistColumn.Write(allowlist ?? current.Allowlist));
                        if (secret != null)
                        {
                            command.Parameters.AddWithValue("$hash", KeySecret.Hash(secret));
                            command.Parameters.AddWithValue("$algorithm", KeySecret.HashAlgorithm);
                        }
                        command.ExecuteNonQuery();
                    }
                    transaction.Commit();
                    var updated = new ApiKey(id, name ?? current.Name, current.CreatedAt, allowlist ?? current.Allowlist);
                    return secret != null ? new IssuedApiKey(updated, KeySecret.Format(id, secret)) : updated;
                }
            }
            catch (SqliteException e)
            {
                transaction = null;
                throw Translate(e, name);
            }
            finally
            {
                transaction = null;
            }
        }

        /// <summary>Deletes the key; throws ApiKeyNotFound when there is none with this id.</summary>
        public void Delete(int id)
        {
            int deleted;
            try
            {
                using (SqliteCommand command = connection.CreateCommand())
                {
                    command.CommandText = "DELETE FROM api_keys WHERE id = $id";
                    command.Parameters.AddWithValue("$id", id);
                    deleted = command.ExecuteNonQuery();
                }
            }
            catch (SqliteException e)
            {
                throw StoreErrors.From(e, Path);
            }
            if (deleted == 0)
            {
                throw NotFound(id);
            }
        }

        public void Dispose()
        {
            insert?.Dispose();
            connection.Dispose();
        }

        internal static ApiKeyException NotFound(object idOrName) =>
            new ApiKeyException("ApiKeyNotFound", ApiKeyErrorCategory.ObjectNotFound,
                idOrName is int
                    ? $"No API key has Id {idOrName}. Run Get-ApiKey to list the keys."
                    : $"No API key is named '{idOrName}'. Run Get-ApiKey to list the keys, or use a wildcard such as '{idOrName}*'.",
                idOrName);

        private IEnumerable<ApiKey> Query(string condition, object parameter)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = "SELECT " + Columns + " FROM api_keys " + condition;
                command.Transaction = transaction;
                if (parameter != null)
                {
                    command.Parameters.AddWithValue("$p", parameter);
                }
                SqliteDataReader reader;
                try
                {
                    reader = command.ExecuteReader();
                }
                catch (SqliteException e)
                {
                    throw StoreErrors.From(e, Path);
                }
                using (reader)
                {
                    while (reader.Read())
                    {
                        yield return new ApiKey(
                            reader.GetInt32(0),
                            reader.GetString(1),
                            FromUnixMilliseconds(reader.GetInt64(2)),
                            AllowlistColumn.Read(reader.GetString(3)));
                    }
                }
            }
        }

        private Exception Translate(SqliteException e, string name)
        {
            const int ConstraintUnique = 2067;
            if (e.SqliteExtendedErrorCode == ConstraintUnique && name != null)
            {
                ApiKey existing = GetByName(name);
                return new ApiKeyException("DuplicateName", ApiKeyErrorCategory.ResourceExists,
                    $"A key named '{existing?.Name ?? name}' already exists{(existing != null ? " (Id " + existing.Id + ")" : "")}; names are unique ignoring case. Choose another name.",
                    name, e);
            }
            return StoreErrors.From(e, Path);
        }

        private static DateTime Now() => FromUnixMilliseconds(ToUnixMilliseconds(DateTime.UtcNow));

        private static long ToUnixMilliseconds(DateTime utc) => (utc.Ticks - UnixEpoch.Ticks) / TimeSpan.TicksPerMillisecond;

        private static DateTime FromUnixMilliseconds(long milliseconds) => new DateTime(UnixEpoch.Ticks + milliseconds * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

        private static readonly DateTime UnixEpoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    }
}
