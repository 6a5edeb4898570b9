using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>
    /// The store in a SQLite file (see <see cref="StoreConnection"/> for how it is opened). The hot paths (verification,
    /// listing, last uses) step prepared statements through SQLite's own API. A verifying store also keeps read-only
    /// connections for concurrent verifications (each another SqliteBackend, reading the owner's wal-index).
    /// </summary>
    internal sealed class SqliteBackend : IStoreBackend
    {
        private const string KeyColumns = "id, name, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at, " +
                                          "CASE WHEN previous_key_hash IS NULL THEN NULL ELSE previous_key_expires_at END, previous_key_last_used_at";
        private const int ConstraintUnique = 2067;
        private readonly SqliteConnection connection;
        private readonly TimeSpan busyTimeout;
        private KeyReaderPool<SqliteBackend>? readers;
        // A verifier's: the wal-index its readers check the store's version in, and the store whose it is.
        private SqliteWalIndex? walIndex;
        private SqliteBackend? owner;
        private SqliteReadSnapshot? snapshot;
        private SqliteTransaction? transaction;
        // Prepared on first use.
        private SqliteCommand? insert;
        private SqliteCommand? append;
        private RawStatement? verify;
        private RawStatement? dataVersion;
        private RawStatement? touch;
        private SqliteCommand? insertAsIs;
        private SqliteCommand? touchPrevious;

        // Lazy reads (Keys, Audit...) not yet read to the end: a caller may drop one unfinished, and its statement must
        // be ended before the connection goes back to the pool, where another thread may take it.
        private readonly HashSet<IDisposable> openReads = new HashSet<IDisposable>();

        private SqliteBackend(string path, SqliteConnection connection, Guid storeId, TimeSpan busyTimeout)
        {
            Location = path;
            this.connection = connection;
            StoreId = storeId;
            this.busyTimeout = busyTimeout;
        }

        public static SqliteBackend Open(string path, TimeSpan busyTimeout) => Open(path, StoreConnection.Open(path, busyTimeout), busyTimeout);

        /// <summary>Reads the store's id through <paramref name="connection"/>, which is closed when that fails.</summary>
        private static SqliteBackend Open(string path, SqliteConnection connection, TimeSpan busyTimeout)
        {
            try
            {
                Guid storeId = Guid.Parse((string?)StoreConnection.Scalar(connection, "SELECT value FROM store_info WHERE key = 'id'"));
                return new SqliteBackend(path, connection, storeId, busyTimeout);
            }
            catch (Exception e)
            {
                // A connection never closed would be reclaimed by the pool later, in whatever state it was left.
                SqlitePool.Close(connection);
                if (e is SqliteException sqlite)
                {
                    throw SqliteErrors.From(sqlite, path);
                }
                throw;
            }
        }

        public string Location { get; }
        public Guid StoreId { get; }
        public bool InTransaction => transaction != null;

        /// <summary>The SQLite handle the store's statements run on (for tests that check no other store shares it).</summary>
        internal IntPtr NativeHandle => connection.Handle?.DangerousGetHandle() ?? IntPtr.Zero;

        /// <summary>data_version counts per connection: each reader compares its own; the wal-index's version is the store's.</summary>
        public ChangeTracker Tracker => owner?.walIndex != null ? owner.OwnTracker : OwnTracker;

        private ChangeTracker OwnTracker { get; } = new ChangeTracker();

        /// <summary>For tests: a verifier's readers check the cache against the wal-index (not PRAGMA data_version).</summary>
        internal bool ChecksWalIndex => walIndex != null;

        public T Write<T>(Func<T> work)
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
            catch (SqliteException e) when (e.SqliteExtendedErrorCode == ConstraintUnique)
            {
                throw new NameTakenException(e);
            }
            catch (SqliteException e)
            {
                throw SqliteErrors.From(e, Location);
            }
            finally
            {
                transaction = null;
            }
        }

        public int InsertKey(StoredKey key, byte[] hash)
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
            insert.Parameters["$name"].Value = key.Name;
            insert.Parameters["$folded"].Value = key.FoldedName;
            insert.Parameters["$created"].Value = key.CreatedAt;
            insert.Parameters["$allowlist"].Value = key.Allowlist;
            insert.Parameters["$hash"].Value = hash;
            insert.Parameters["$expires"].Value = Nullable(key.ExpiresAt);
            return Convert.ToInt32(insert.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        public void UpdateKey(StoredKey key, byte[]? newHash, PreviousKeyUpdate previous)
        {
            // The right-hand sides read the row as it was: previous_key_hash = key_hash takes the hash being replaced.
            string previousColumns =
                previous == PreviousKeyUpdate.Clear ? ", previous_key_hash = NULL, previous_key_expires_at = NULL, previous_key_last_used_at = NULL"
                : previous == PreviousKeyUpdate.FromCurrent ? ", previous_key_hash = key_hash, previous_key_expires_at = $previousEnd, previous_key_last_used_at = NULL"
                : key.PreviousKeyExpiresAt != null ? ", previous_key_expires_at = $previousEnd"
                : "";
            using (SqliteCommand command = Command(
                "UPDATE api_keys SET name = $name, name_folded = $folded, allowlist = $allowlist, expires_at = $expires, " +
                "revoked = $revoked, revoked_reason = $reason" + previousColumns + (newHash != null ? ", key_hash = $hash, hash_algorithm = $algorithm" : "") +
                " WHERE id = $id"))
            {
                if (previousColumns.Contains("$previousEnd"))
                {
                    command.Parameters.AddWithValue("$previousEnd", Nullable(key.PreviousKeyExpiresAt));
                }
                command.Parameters.AddWithValue("$id", key.Id);
                command.Parameters.AddWithValue("$name", key.Name);
                command.Parameters.AddWithValue("$folded", key.FoldedName);
                command.Parameters.AddWithValue("$allowlist", key.Allowlist);
                command.Parameters.AddWithValue("$expires", Nullable(key.ExpiresAt));
                command.Parameters.AddWithValue("$revoked", key.Revoked);
                command.Parameters.AddWithValue("$reason", (object?)key.RevokedReason ?? DBNull.Value);
                if (newHash != null)
                {
                    command.Parameters.AddWithValue("$hash", newHash);
                    command.Parameters.AddWithValue("$algorithm", KeySecret.HashAlgorithm);
                }
                command.ExecuteNonQuery();
            }
        }

        public void DeleteKey(int id)
        {
            using (SqliteCommand command = Command("DELETE FROM api_keys WHERE id = $id"))
            {
                command.Parameters.AddWithValue("$id", id);
                command.ExecuteNonQuery();
            }
        }

        public void AppendAudit(AuditRecord record) => InsertAudit(record, null);

        public void WriteLastUses(IEnumerable<KeyValuePair<int, long>> uses)
        {
            touch = touch ?? new RawStatement(connection,
                "UPDATE api_keys SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)");
            foreach (KeyValuePair<int, long> use in uses)
            {
                touch.Bind(1, use.Value);
                touch.Bind(2, use.Key);
                touch.Step();
                touch.Reset();
            }
        }

        public void WritePreviousLastUses(IEnumerable<PreviousKeyUse> uses)
        {
            touchPrevious = touchPrevious ?? Prepared(
                "UPDATE api_keys SET previous_key_last_used_at = $at WHERE id = $id AND previous_key_hash = $hash " +
                "AND (previous_key_last_used_at IS NULL OR previous_key_last_used_at < $at)");
            touchPrevious.Transaction = transaction;
            foreach (PreviousKeyUse use in uses)
            {
                touchPrevious.Parameters["$at"].Value = use.At;
                touchPrevious.Parameters["$id"].Value = use.Id;
                touchPrevious.Parameters["$hash"].Value = use.Hash;
                touchPrevious.ExecuteNonQuery();
            }
        }

        /// <summary><see cref="Write"/> holds SQLite's write lock already: no other writer can record the same end.</summary>
        public PreviousKeyRow? ReadPreviousKey(int id)
        {
            using (SqliteCommand command = Command(
                "SELECT name, previous_key_expires_at, previous_key_last_used_at FROM api_keys " +
                "WHERE id = $id AND previous_key_hash IS NOT NULL AND previous_key_expires_at IS NOT NULL"))
            {
                command.Parameters.AddWithValue("$id", id);
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    if (!reader.Read())
                    {
                        return null;
                    }
                    return PreviousKeyRow.FromRow(reader);
                }
            }
        }

        public bool HasAudit(int keyId, string action, long since)
        {
            using (SqliteCommand command = Command("SELECT EXISTS (SELECT 1 FROM audit_log WHERE key_id = $id AND at >= $since AND action = $action)"))
            {
                command.Parameters.AddWithValue("$id", keyId);
                command.Parameters.AddWithValue("$since", since);
                command.Parameters.AddWithValue("$action", action);
                return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 1;
            }
        }

        public IEnumerable<StoredKey> ReadKeys(KeySelection selection, object? value)
        {
            switch (selection)
            {
                case KeySelection.Id:
                    return Translated(Keys("WHERE id = ?1", (int?)value));
                case KeySelection.FoldedName:
                    return Translated(Keys("WHERE name_folded = ?1", (string?)value));
                case KeySelection.FoldedNamePrefix:
                    // U+10FFFF sorts after every character in SQLite's byte order, so this is the range of names with the prefix.
                    return Translated(Keys("WHERE name_folded >= ?1 AND name_folded < ?1 || char(1114111) ORDER BY id", (string?)value));
                default:
                    return Translated(Keys("ORDER BY id", null));
            }
        }

        public IEnumerable<AuditRecord> ReadAudit(IReadOnlyCollection<int>? keyIds, long? after, long? before) =>
            Translated(Audit(keyIds, after, before));

        public VerifiedKey? ReadForVerification(int id)
        {
            verify = verify ?? new RawStatement(connection,
                "SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist, previous_key_hash, previous_key_expires_at, previous_key_last_used_at " +
                "FROM api_keys WHERE id = ?1 AND hash_algorithm = '" +
                KeySecret.HashAlgorithm + "'");
            try
            {
                snapshot?.Keep();
                verify.Bind(1, id);
                if (!verify.Step())
                {
                    return null;
                }
                return new VerifiedKey(verify.Text(0), verify.Blob(1).ToArray(), verify.Int64(2) != 0,
                    verify.IsNull(3) ? (long?)null : verify.Int64(3),
                    verify.IsNull(4) ? (long?)null : verify.Int64(4),
                    verify.Text(5))
                {
                    PreviousHash = verify.IsNull(6) || verify.IsNull(7) ? null : verify.Blob(6).ToArray(),
                    PreviousExpiresAt = verify.IsNull(7) ? (long?)null : verify.Int64(7),
                    PreviousLastUsedAt = verify.IsNull(8) ? (long?)null : verify.Int64(8),
                };
            }
            catch (SqliteException e)
            {
                throw SqliteErrors.From(e, Location);
            }
            finally
            {
                // Ends the read: a statement left on a row would hold its snapshot.
                verify.Reset();
            }
        }

        /// <summary>
        /// A verifier's reader: the header of the store's wal-index, read without a lock (see <see cref="SqliteWalIndex"/>).
        /// Otherwise SQLite's data_version: one read, cheaper than the row lookup it saves; this connection's own commits
        /// leave it as it was.
        /// </summary>
        public long ChangeVersion()
        {
            SqliteWalIndex? index = owner?.walIndex;
            if (index != null)
            {
                return index.TryVersion(out long version) ? version : index.Transient();
            }
            dataVersion = dataVersion ?? new RawStatement(connection, "PRAGMA data_version");
            try
            {
                dataVersion.Step();
                return dataVersion.Int64(0);
            }
            catch (SqliteException e)
            {
                throw SqliteErrors.From(e, Location);
            }
            finally
            {
                dataVersion.Reset();
            }
        }

        /// <summary>
        /// Verifications read through connections of their own (WAL lets readers run in parallel, and beside a writer),
        /// and check the cache against the wal-index when it can be read.
        /// </summary>
        public void PrepareForVerification()
        {
            if (readers == null)
            {
                walIndex = SqliteWalIndex.TryOpen(Location);
                // The wal-index stays mapped until the last reader is given back.
                readers = new KeyReaderPool<SqliteBackend>(OpenReader, KeyReaderPool<SqliteBackend>.DefaultSize, () => walIndex?.Dispose());
            }
        }

        public IKeyReader RentReader() => readers == null ? this : (IKeyReader)readers.Rent();

        public void ReturnReader(IKeyReader reader)
        {
            if (reader != this)
            {
                // Any reader but this backend itself was rented from the pool.
                readers!.Return((SqliteBackend)reader);
            }
        }

        /// <summary>A read-only connection to the same store; one whose file was replaced meanwhile is refused.</summary>
        private SqliteBackend OpenReader()
        {
            SqliteBackend reader = Open(Location, StoreConnection.OpenReader(Location, busyTimeout), busyTimeout);
            reader.owner = this;
            if (reader.StoreId != StoreId)
            {
                reader.Dispose();
                throw StoreErrors.Unavailable(Location, $"the file now holds another store (id {reader.StoreId}, not {StoreId})", "Open the store again.", null);
            }
            if (walIndex != null)
            {
                reader.snapshot = new SqliteReadSnapshot(reader.connection, walIndex);
            }
            return reader;
        }

        /// <summary>By the verifier's background thread: the read transactions its idle readers left open end.</summary>
        public void EndIdleReads()
        {
            readers?.Visit(reader =>
            {
                try
                {
                    reader.snapshot?.EndIfIdle();
                }
                catch (SqliteException)
                {
                    // Ended with the connection, or at its next lookup.
                }
            });
        }

        public long DeleteAuditBefore(long before) => AuditBefore("DELETE FROM audit_log", before, command => command.ExecuteNonQuery());

        public long CountAuditBefore(long before) =>
            AuditBefore("SELECT count(*) FROM audit_log", before, command => Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));

        /// <summary>The rows whose last event is before the bound; at (which is indexed) is never after last_at.</summary>
        private long AuditBefore(string statement, long before, Func<SqliteCommand, long> run)
        {
            try
            {
                using (SqliteCommand command = Command(statement + " WHERE at < $before AND coalesce(last_at, at) < $before"))
                {
                    command.Parameters.AddWithValue("$before", before);
                    return run(command);
                }
            }
            catch (SqliteException e) when (transaction == null)
            {
                throw SqliteErrors.From(e, Location);
            }
        }

        /// <summary>A deferred transaction: SQLite takes its snapshot at the first read and keeps it until the end (WAL lets writers go on).</summary>
        public T Snapshot<T>(Func<T> work)
        {
            try
            {
                using (transaction = connection.BeginTransaction(deferred: true))
                {
                    T result = work();
                    transaction.Commit();
                    return result;
                }
            }
            catch (SqliteException e)
            {
                throw SqliteErrors.From(e, Location);
            }
            finally
            {
                transaction = null;
            }
        }

        /// <summary>sqlite_sequence holds the highest id AUTOINCREMENT has given, deleted rows included.</summary>
        public StoreExtent ReadExtent()
        {
            using (SqliteCommand command = Command(
                "SELECT (SELECT count(*) FROM api_keys), (SELECT count(*) FROM audit_log), " +
                "max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'api_keys'), 0), coalesce((SELECT max(id) FROM api_keys), 0)), " +
                "max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'), 0), coalesce((SELECT max(id) FROM audit_log), 0))"))
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                reader.Read();
                return new StoreExtent
                {
                    Keys = reader.GetInt64(0),
                    AuditRows = reader.GetInt64(1),
                    KeyIdHighWater = reader.GetInt64(2),
                    AuditIdHighWater = reader.GetInt64(3),
                };
            }
        }

        public IEnumerable<KeyRowAsIs> ReadKeysAsIs() => Translated(KeysAsIs());

        public IEnumerable<AuditRecord> ReadAuditAsIs() => Translated(AuditAsIs());

        /// <summary><see cref="Write"/> holds SQLite's write lock already.</summary>
        public bool LockIfEmpty() =>
            Convert.ToInt64(StoreConnection.Scalar(connection,
                "SELECT NOT EXISTS (SELECT 1 FROM api_keys) AND NOT EXISTS (SELECT 1 FROM audit_log)", transaction), CultureInfo.InvariantCulture) == 1;

        public void InsertKeyAsIs(KeyRowAsIs row)
        {
            insertAsIs = insertAsIs ?? Prepared(
                "INSERT INTO api_keys (id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at, revoked, revoked_reason, last_used_at, " +
                "previous_key_hash, previous_key_expires_at, previous_key_last_used_at) " +
                "VALUES ($id, $name, $folded, $created, $allowlist, $hash, $algorithm, $expires, $revoked, $reason, $lastUsed, $previousHash, $previousEnd, $previousUsed)");
            StoredKey key = row.Key;
            insertAsIs.Transaction = transaction;
            insertAsIs.Parameters["$id"].Value = key.Id;
            insertAsIs.Parameters["$name"].Value = key.Name;
            insertAsIs.Parameters["$folded"].Value = key.FoldedName;
            insertAsIs.Parameters["$created"].Value = key.CreatedAt;
            insertAsIs.Parameters["$allowlist"].Value = key.Allowlist;
            insertAsIs.Parameters["$hash"].Value = row.Hash;
            insertAsIs.Parameters["$algorithm"].Value = row.HashAlgorithm;
            insertAsIs.Parameters["$expires"].Value = Nullable(key.ExpiresAt);
            insertAsIs.Parameters["$revoked"].Value = key.Revoked ? 1 : 0;
            insertAsIs.Parameters["$reason"].Value = (object?)key.RevokedReason ?? DBNull.Value;
            insertAsIs.Parameters["$lastUsed"].Value = Nullable(key.LastUsedAt);
            insertAsIs.Parameters["$previousHash"].Value = (object?)row.PreviousHash ?? DBNull.Value;
            insertAsIs.Parameters["$previousEnd"].Value = Nullable(key.PreviousKeyExpiresAt);
            insertAsIs.Parameters["$previousUsed"].Value = Nullable(key.PreviousKeyLastUsedAt);
            insertAsIs.ExecuteNonQuery();
        }

        public void InsertAuditAsIs(AuditRecord record) => InsertAudit(record, record.Id);

        /// <summary>A null id is given by AUTOINCREMENT, as for any new row.</summary>
        private void InsertAudit(AuditRecord record, long? id)
        {
            append = append ?? Prepared(
                "INSERT INTO audit_log (" + AuditRecord.Columns + ") " +
                "VALUES ($id, $at, $action, $keyId, $keyName, $old, $new, $details, $user, $host, $pid, $count, $lastAt)");
            append.Transaction = transaction;
            append.Parameters["$id"].Value = (object?)id ?? DBNull.Value;
            append.Parameters["$at"].Value = record.At;
            append.Parameters["$action"].Value = record.Action;
            append.Parameters["$keyId"].Value = (object?)record.KeyId ?? DBNull.Value;
            append.Parameters["$keyName"].Value = (object?)record.KeyName ?? DBNull.Value;
            append.Parameters["$old"].Value = (object?)record.OldValue ?? DBNull.Value;
            append.Parameters["$new"].Value = (object?)record.NewValue ?? DBNull.Value;
            append.Parameters["$details"].Value = (object?)record.Details ?? DBNull.Value;
            append.Parameters["$user"].Value = record.User;
            append.Parameters["$host"].Value = record.Host;
            append.Parameters["$pid"].Value = record.ProcessId;
            append.Parameters["$count"].Value = record.Count;
            append.Parameters["$lastAt"].Value = Nullable(record.LastAt);
            append.ExecuteNonQuery();
        }

        /// <summary>AUTOINCREMENT continues above the seq of the table's row in sqlite_sequence, which is an ordinary table.</summary>
        public void RaiseIdHighWater(long keyId, long auditId)
        {
            foreach ((string table, long highWater) in new[] { ("api_keys", keyId), ("audit_log", auditId) })
            {
                foreach (string sql in new[]
                {
                    "UPDATE sqlite_sequence SET seq = max(seq, $seq) WHERE name = $table",
                    "INSERT INTO sqlite_sequence (name, seq) SELECT $table, $seq WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = $table)",
                })
                {
                    using (SqliteCommand command = Command(sql))
                    {
                        command.Parameters.AddWithValue("$table", table);
                        command.Parameters.AddWithValue("$seq", highWater);
                        command.ExecuteNonQuery();
                    }
                }
            }
        }

        public void Dispose()
        {
            readers?.Dispose();
            foreach (IDisposable read in openReads.ToList())
            {
                read.Dispose();
            }
            openReads.Clear();
            snapshot?.Dispose();
            insert?.Dispose();
            append?.Dispose();
            insertAsIs?.Dispose();
            touchPrevious?.Dispose();
            verify?.Dispose();
            dataVersion?.Dispose();
            touch?.Dispose();
            SqlitePool.Close(connection);
        }

        private IEnumerable<StoredKey> Keys(string condition, object? parameter)
        {
            using (var rows = new RawStatement(connection, "SELECT " + KeyColumns + " FROM api_keys " + condition))
            {
                if (parameter is string text)
                {
                    rows.Bind(1, text);
                }
                else if (parameter is int id)
                {
                    rows.Bind(1, id);
                }
                while (rows.Step())
                {
                    yield return new StoredKey
                    {
                        Id = (int)rows.Int64(0),
                        Name = rows.Text(1),
                        CreatedAt = rows.Int64(2),
                        Allowlist = rows.Text(3),
                        ExpiresAt = rows.IsNull(4) ? (long?)null : rows.Int64(4),
                        Revoked = rows.Int64(5) != 0,
                        RevokedReason = rows.IsNull(6) ? null : rows.Text(6),
                        LastUsedAt = rows.IsNull(7) ? (long?)null : rows.Int64(7),
                        PreviousKeyExpiresAt = rows.IsNull(8) ? (long?)null : rows.Int64(8),
                        PreviousKeyLastUsedAt = rows.IsNull(9) ? (long?)null : rows.Int64(9),
                    };
                }
            }
        }

        private IEnumerable<AuditRecord> Audit(IReadOnlyCollection<int>? keyIds, long? after, long? before)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                var conditions = new List<string>();
                if (keyIds != null && keyIds.Count > 0)
                {
                    conditions.Add("key_id IN (" + string.Join(", ", keyIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + ")");
                }
                if (after != null)
                {
                    conditions.Add("at > $after");
                    command.Parameters.AddWithValue("$after", after.Value);
                }
                if (before != null)
                {
                    conditions.Add("at < $before");
                    command.Parameters.AddWithValue("$before", before.Value);
                }
                command.CommandText = "SELECT " + AuditRecord.Columns + " FROM audit_log" +
                                      (conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "") +
                                      " ORDER BY at DESC, id DESC";
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        yield return AuditRecord.FromRow(reader);
                    }
                }
            }
        }

        private IEnumerable<KeyRowAsIs> KeysAsIs()
        {
            using (SqliteCommand command = Command(
                "SELECT id, name, name_folded, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at, key_hash, hash_algorithm, " +
                "previous_key_hash, previous_key_expires_at, previous_key_last_used_at FROM api_keys ORDER BY id"))
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    yield return new KeyRowAsIs
                    {
                        Key = new StoredKey
                        {
                            Id = reader.GetInt32(0),
                            Name = reader.GetString(1),
                            FoldedName = reader.GetString(2),
                            CreatedAt = reader.GetInt64(3),
                            Allowlist = reader.GetString(4),
                            ExpiresAt = reader.IsDBNull(5) ? (long?)null : reader.GetInt64(5),
                            Revoked = reader.GetInt64(6) != 0,
                            RevokedReason = Text(reader, 7),
                            LastUsedAt = reader.IsDBNull(8) ? (long?)null : reader.GetInt64(8),
                            PreviousKeyExpiresAt = reader.IsDBNull(12) ? (long?)null : reader.GetInt64(12),
                            PreviousKeyLastUsedAt = reader.IsDBNull(13) ? (long?)null : reader.GetInt64(13),
                        },
                        Hash = reader.GetFieldValue<byte[]>(9),
                        HashAlgorithm = reader.GetString(10),
                        PreviousHash = reader.IsDBNull(11) ? null : reader.GetFieldValue<byte[]>(11),
                    };
                }
            }
        }

        private IEnumerable<AuditRecord> AuditAsIs()
        {
            using (SqliteCommand command = Command("SELECT " + AuditRecord.Columns + " FROM audit_log ORDER BY id"))
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    yield return AuditRecord.FromRow(reader);
                }
            }
        }


        /// <summary>A command kept for the connection's life, its $parameters read from the SQL.</summary>
        private SqliteCommand Prepared(string sql)
        {
            SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (System.Text.RegularExpressions.Match parameter in System.Text.RegularExpressions.Regex.Matches(sql, @"\$[a-zA-Z]+"))
            {
                if (!command.Parameters.Contains(parameter.Value))
                {
                    command.Parameters.AddWithValue(parameter.Value, DBNull.Value);
                }
            }
            return command;
        }

        /// <summary>Reads lazily, so SQLite failures surface while enumerating; they become store errors there too.</summary>
        private IEnumerable<T> Translated<T>(IEnumerable<T> source)
        {
            using (IEnumerator<T> items = source.GetEnumerator())
            {
                openReads.Add(items);
                try
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
                            throw SqliteErrors.From(e, Location);
                        }
                        yield return items.Current;
                    }
                }
                finally
                {
                    openReads.Remove(items);
                }
            }
        }

        private SqliteCommand Command(string sql)
        {
            SqliteCommand command = connection.CreateCommand();
            command.CommandText = sql;
            command.Transaction = transaction;
            return command;
        }

        private static object Nullable(long? value) => value == null ? (object)DBNull.Value : value.Value;

        private static string? Text(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
    }
}
