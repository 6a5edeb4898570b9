using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>
    /// The SQLite store shared by every session and process of a user. Each change is one durable transaction,
    /// with its audit rows. Not thread-safe: use one instance per thread (or <see cref="ApiKeyVerifier"/>).
    /// </summary>
    public sealed partial class ApiKeyStore : IDisposable
    {
        private const string Columns = "id, name, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at";
        private readonly SqliteConnection connection;
        private readonly AuditLog audit;
        private SqliteCommand insert;
        private SqliteTransaction transaction;

        private ApiKeyStore(string path, SqliteConnection connection)
        {
            Path = path;
            this.connection = connection;
            audit = new AuditLog(connection);
            Id = Guid.Parse((string)StoreConnection.Scalar(connection, "SELECT value FROM store_info WHERE key = 'id'"));
        }

        /// <summary>Where the store was opened.</summary>
        public string Path { get; }

        /// <summary>The store's own identity, made when it was created (or upgraded) and kept inside it.</summary>
        public Guid Id { get; }

        /// <summary>Opens (creating on first use) the store at <paramref name="path"/>, or the default one (<see cref="StoreLocation.Resolve"/>).</summary>
        public static ApiKeyStore Open(string path = null, TimeSpan? busyTimeout = null)
        {
            string resolved = Resolve(path);
            return new ApiKeyStore(resolved, StoreConnection.Open(resolved, busyTimeout ?? StoreConnection.DefaultBusyTimeout));
        }

        /// <summary>Like <see cref="Open"/>, but null when there is nothing at the path yet (nothing is created).</summary>
        public static ApiKeyStore OpenIfExists(string path = null, TimeSpan? busyTimeout = null)
        {
            string resolved = Resolve(path);
            // A folder in the way is opened, so that it is reported as such.
            return System.IO.File.Exists(resolved) || System.IO.Directory.Exists(resolved) ? Open(resolved, busyTimeout) : null;
        }

        private static string Resolve(string path)
        {
            try
            {
                return StoreLocation.Resolve(path);
            }
            catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is System.IO.PathTooLongException)
            {
                throw StoreErrors.Unavailable(path, e.Message, e);
            }
        }

        public IssuedApiKey Create(string name, IReadOnlyList<AllowlistEntry> allowlist, DateTime? expiresAt = null)
        {
            NameRules.Validate(name);
            allowlist = AllowlistRules.Normalize(allowlist ?? new AllowlistEntry[0]);
            expiresAt = ExpiryRules.Validate(expiresAt);
            string secret = KeySecret.Generate();
            DateTime createdAt = UnixTime.Now();
            return InTransaction(name, () =>
            {
                if (insert == null)
                {
                    insert = connection.CreateCommand();
                    insert.CommandText = "INSERT INTO api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at) " +
                                         "VALUES ($name, $folded, $created, $allowlist, $hash, $algorithm, $expires) RETURNING id";
                    foreach (string parameter in new[] { "$name", "$folded", "$created", "$allowlist", "$hash", "$expires" })
                    {
                        insert.Parameters.Add(parameter, SqliteType.Text);
                    }
                    insert.Parameters.AddWithValue("$algorithm", KeySecret.HashAlgorithm);
                }
                insert.Transaction = transaction;
                insert.Parameters["$name"].Value = name;
                insert.Parameters["$folded"].Value = NameRules.Fold(name);
                insert.Parameters["$created"].Value = UnixTime.ToMilliseconds(createdAt);
                insert.Parameters["$allowlist"].Value = AllowlistColumn.Write(allowlist);
                insert.Parameters["$hash"].Value = KeySecret.Hash(secret);
                insert.Parameters["$expires"].Value = Milliseconds(expiresAt);
                int id = Convert.ToInt32(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
                audit.Append(transaction, AuditAction.Create, id, name, null, AllowlistColumn.Show(allowlist),
                    expiresAt != null ? "Expires " + UnixTime.Show(expiresAt) : null);
                var record = Record(id, name, createdAt, allowlist);
                record.ExpiresAt = expiresAt;
                return new IssuedApiKey(record, KeySecret.Format(id, secret));
            });
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

        /// <summary>
        /// The key object as this store holds it now: KeyFromOtherStore when it was read from another store, ApiKeyNotFound
        /// when this store no longer holds it (the same id and creation time).
        /// </summary>
        public ApiKey Find(ApiKey key) => Current(Own(key).Id, key.CreatedAt);

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
        public ApiKey Update(int id, ApiKeyChanges changes) => Update(id, null, changes);

        /// <summary>
        /// Like <see cref="Update(int, ApiKeyChanges)"/>, for a key object read from this store: refused when it comes from
        /// another store, and ApiKeyNotFound when this store no longer holds that key (same id and creation time).
        /// </summary>
        public ApiKey Update(ApiKey key, ApiKeyChanges changes) => Update(Own(key).Id, key.CreatedAt, changes);

        private ApiKey Update(int id, DateTime? createdAt, ApiKeyChanges changes)
        {
            if (changes == null || changes.IsEmpty)
            {
                throw new ApiKeyException("NoChangeRequested", ApiKeyErrorCategory.InvalidArgument,
                    "Nothing to change. Give -Name, -Allowlist, -ExpiresAt, -NeverExpires or -Reset.", id);
            }
            string name = changes.Name == null ? null : NameRules.Validate(changes.Name);
            IReadOnlyList<AllowlistEntry> allowlist = changes.Allowlist == null ? null : AllowlistRules.Normalize(changes.Allowlist);
            DateTime? expiresAt = ExpiryRules.Validate(changes.ExpiresAt);
            return InTransaction(name, () =>
            {
                ApiKey current = Current(id, createdAt);
                ForgetVerifiedKeys();
                string secret = changes.Reset ? KeySecret.Generate() : null;
                var updated = new ApiKey(current)
                {
                    Name = name ?? current.Name,
                    Allowlist = allowlist ?? current.Allowlist,
                    ExpiresAt = changes.NeverExpires ? null : expiresAt ?? current.ExpiresAt,
                    Revoked = !changes.Reset && current.Revoked,
                    RevokedReason = changes.Reset ? null : current.RevokedReason,
                };
                using (SqliteCommand command = Command(
                    "UPDATE api_keys SET name = $name, name_folded = $folded, allowlist = $allowlist, expires_at = $expires, " +
                    "revoked = $revoked, revoked_reason = $reason" + (secret != null ? ", key_hash = $hash, hash_algorithm = $algorithm" : "") +
                    " WHERE id = $id"))
                {
                    command.Parameters.AddWithValue("$id", id);
                    command.Parameters.AddWithValue("$name", updated.Name);
                    command.Parameters.AddWithValue("$folded", NameRules.Fold(updated.Name));
                    command.Parameters.AddWithValue("$allowlist", AllowlistColumn.Write(updated.Allowlist));
                    command.Parameters.AddWithValue("$expires", Milliseconds(updated.ExpiresAt));
                    command.Parameters.AddWithValue("$revoked", updated.Revoked);
                    command.Parameters.AddWithValue("$reason", (object)updated.RevokedReason ?? DBNull.Value);
                    if (secret != null)
                    {
                        command.Parameters.AddWithValue("$hash", KeySecret.Hash(secret));
                        command.Parameters.AddWithValue("$algorithm", KeySecret.HashAlgorithm);
                    }
                    command.ExecuteNonQuery();
                }
                AuditChanges(current, updated, changes.Reset);
                return secret != null ? new IssuedApiKey(updated, KeySecret.Format(id, secret)) : updated;
            });
        }

        /// <summary>Marks the key revoked: it fails verification with Revoked until it is reset.</summary>
        public ApiKey Revoke(int id, string reason) => Revoke(id, null, reason);

        /// <summary>Like <see cref="Revoke(int, string)"/>, for a key object read from this store (see <see cref="Update(ApiKey, ApiKeyChanges)"/>).</summary>
        public ApiKey Revoke(ApiKey key, string reason) => Revoke(Own(key).Id, key.CreatedAt, reason);

        private ApiKey Revoke(int id, DateTime? createdAt, string reason)
        {
            reason = ReasonRules.Validate(reason);
            return InTransaction(null, () =>
            {
                ApiKey current = Current(id, createdAt);
                ForgetVerifiedKeys();
                using (SqliteCommand command = Command("UPDATE api_keys SET revoked = 1, revoked_reason = $reason WHERE id = $id"))
                {
                    command.Parameters.AddWithValue("$id", id);
                    command.Parameters.AddWithValue("$reason", (object)reason ?? DBNull.Value);
                    command.ExecuteNonQuery();
                }
                audit.Append(transaction, AuditAction.Revoke, id, current.Name, details: reason);
                return new ApiKey(current) { Revoked = true, RevokedReason = reason };
            });
        }

        /// <summary>Deletes the key; throws ApiKeyNotFound when there is none with this id. Its audit rows stay.</summary>
        public void Delete(int id) => Delete(id, null);

        /// <summary>Like <see cref="Delete(int)"/>, for a key object read from this store (see <see cref="Update(ApiKey, ApiKeyChanges)"/>).</summary>
        public void Delete(ApiKey key) => Delete(Own(key).Id, key.CreatedAt);

        private void Delete(int id, DateTime? createdAt)
        {
            InTransaction<object>(null, () =>
            {
                ApiKey current = Current(id, createdAt);
                ForgetVerifiedKeys();
                using (SqliteCommand command = Command("DELETE FROM api_keys WHERE id = $id"))
                {
                    command.Parameters.AddWithValue("$id", id);
                    command.ExecuteNonQuery();
                }
                audit.Append(transaction, AuditAction.Delete, id, current.Name, current.Name, null);
                return null;
            });
        }

        /// <summary>The audit log, newest first, optionally for some keys and within a time range (exclusive).</summary>
        public IEnumerable<ApiKeyAuditEntry> ReadAuditLog(IReadOnlyCollection<int> keyIds = null, DateTime? after = null, DateTime? before = null)
        {
            return Translated(audit.Read(keyIds, after, before, Id, Path));
        }

        public void Dispose()
        {
            try
            {
                FlushTouches();
            }
            catch (ApiKeyException)
            {
                // Last use is bookkeeping: a store that cannot be written now (read-only, locked) must still close.
            }
            insert?.Dispose();
            verify?.Dispose();
            dataVersion?.Dispose();
            touch?.Dispose();
            audit.Dispose();
            connection.Dispose();
        }

        internal static ApiKeyException NotFound(object idOrName)
        {
            if (idOrName is int)
            {
                return new ApiKeyException("ApiKeyNotFound", ApiKeyErrorCategory.ObjectNotFound,
                    $"No API key has Id {idOrName}. Run Get-ApiKey to list the keys.", idOrName);
            }
            string name = SafeText.Escape((string)idOrName);
            return new ApiKeyException("ApiKeyNotFound", ApiKeyErrorCategory.ObjectNotFound,
                $"No API key is named '{name}'. Run Get-ApiKey to list the keys, or use a wildcard such as '{name}*'.", name);
        }

        /// <summary>The key as the store holds it now; ApiKeyNotFound when it holds none with this id (and creation time, when given).</summary>
        private ApiKey Current(int id, DateTime? createdAt)
        {
            ApiKey current = Get(id);
            if (current == null && createdAt == null)
            {
                throw NotFound(id);
            }
            if (current == null || createdAt != null && current.CreatedAt != createdAt)
            {
                throw new ApiKeyException("ApiKeyNotFound", ApiKeyErrorCategory.ObjectNotFound,
                    $"The store '{Path}' no longer holds the key with Id {id} created {UnixTime.Show(createdAt)}: it was removed, or the store was " +
                    "restored from a backup, since the key was read. Read the keys again with Get-ApiKey.", id);
            }
            return current;
        }

        /// <summary>The key, when it was read from this store; otherwise KeyFromOtherStore.</summary>
        private ApiKey Own(ApiKey key)
        {
            if (key == null)
            {
                throw new ArgumentNullException(nameof(key));
            }
            if (key.StoreId != Id)
            {
                throw FromOtherStore(key, this);
            }
            return key;
        }

        /// <summary>A key object given to a store it was not read from: it is not used there.</summary>
        public static ApiKeyException FromOtherStore(ApiKey key, ApiKeyStore store) =>
            new ApiKeyException("KeyFromOtherStore", ApiKeyErrorCategory.InvalidArgument,
                $"The key with Id {key.Id} ('{key.Name}') was read from the store '{key.Store}' (store id {key.StoreId}), " +
                (store == null ? "and there is no store at the path given" : $"not from '{store.Path}' (store id {store.Id})") +
                ". A key object is used only with its own store: pipe it without -StorePath, or give -Id to name a key of the other store.",
                key);

        private void AuditChanges(ApiKey before, ApiKey after, bool reset)
        {
            if (before.Name != after.Name)
            {
                audit.Append(transaction, AuditAction.Rename, after.Id, after.Name, before.Name, after.Name);
            }
            string oldAllowlist = AllowlistColumn.Show(before.Allowlist), newAllowlist = AllowlistColumn.Show(after.Allowlist);
            if (oldAllowlist != newAllowlist)
            {
                audit.Append(transaction, AuditAction.SetAllowlist, after.Id, after.Name, oldAllowlist, newAllowlist);
            }
            if (before.ExpiresAt != after.ExpiresAt)
            {
                audit.Append(transaction, AuditAction.SetExpiry, after.Id, after.Name, UnixTime.Show(before.ExpiresAt), UnixTime.Show(after.ExpiresAt));
            }
            if (reset)
            {
                audit.Append(transaction, AuditAction.Reset, after.Id, after.Name, details: before.Revoked ? "The key was revoked; reset un-revokes it." : null);
            }
        }

        /// <summary>Runs <paramref name="work"/> in a write transaction (taken at once, so concurrent writers queue on the busy timeout).</summary>
        private T InTransaction<T>(string name, Func<T> work)
        {
            try
            {
                using (transaction = connection.BeginTransaction())
                {
                    T result = work();
                    transaction.Commit();
                    return result;
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

        private SqliteCommand Command(string sql)
        {
            SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            return command;
        }

        /// <summary>Reads lazily, so SQLite failures surface while enumerating; they become store errors there too.</summary>
        private IEnumerable<T> Translated<T>(IEnumerable<T> source)
        {
            using (IEnumerator<T> items = source.GetEnumerator())
            {
                while (true)
                {
                    try
                    {
                        if (!items.MoveNext())
                        {
                            yield break;
                        }
                    }
                    catch (SqliteException e)
                    {
                        throw StoreErrors.From(e, Path);
                    }
                    yield return items.Current;
                }
            }
        }

        private IEnumerable<ApiKey> Query(string condition, object parameter)
        {
            // What this store has seen verified is written before it is read back.
            FlushTouches();
            return Translated(Rows(condition, parameter));
        }

        private IEnumerable<ApiKey> Rows(string condition, object parameter)
        {
            using (var rows = new RawStatement(connection, "SELECT " + Columns + " FROM api_keys " + condition.Replace("$p", "?1")))
            {
                if (parameter is string text)
                {
                    rows.Bind(1, text);
                }
                else if (parameter != null)
                {
                    rows.Bind(1, Convert.ToInt64(parameter, CultureInfo.InvariantCulture));
                }
                // Keys often share an allowlist: each distinct one is parsed once (the lists are immutable).
                var allowlists = new Dictionary<string, IReadOnlyList<AllowlistEntry>>(StringComparer.Ordinal);
                while (rows.Step())
                {
                    string allowlistText = rows.Text(3);
                    if (!allowlists.TryGetValue(allowlistText, out IReadOnlyList<AllowlistEntry> allowlist))
                    {
                        allowlist = AllowlistColumn.Read(allowlistText);
                        if (allowlists.Count < 1024)
                        {
                            allowlists.Add(allowlistText, allowlist);
                        }
                    }
                    ApiKey key = Record((int)rows.Int64(0), rows.Text(1), UnixTime.FromMilliseconds(rows.Int64(2)), allowlist);
                    key.ExpiresAt = rows.IsNull(4) ? (DateTime?)null : UnixTime.FromMilliseconds(rows.Int64(4));
                    key.Revoked = rows.Int64(5) != 0;
                    // Escaped again: a store written by an earlier version may hold the reason as it was given.
                    key.RevokedReason = rows.IsNull(6) ? null : SafeText.Escape(rows.Text(6));
                    key.LastUsedAt = rows.IsNull(7) ? (DateTime?)null : UnixTime.FromMilliseconds(rows.Int64(7));
                    yield return key;
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

        private ApiKey Record(int id, string name, DateTime createdAt, IReadOnlyList<AllowlistEntry> allowlist) =>
            new ApiKey { Id = id, Name = name, CreatedAt = createdAt, Allowlist = allowlist, StoreId = Id, Store = Path };

        private static object Milliseconds(DateTime? time) => time == null ? (object)DBNull.Value : UnixTime.ToMilliseconds(time.Value);
    }
}
