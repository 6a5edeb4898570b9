using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using Npgsql;
using NpgsqlTypes;

namespace ApiKeyModule
{
    /// <summary>
    /// The store in a schema of a PostgreSQL database (see <see cref="PostgresConnection"/> for how it is readied). One
    /// connection per store; a verifying store also keeps a listening one (<see cref="PostgresChangeListener"/>), and
    /// read connections for concurrent verifications (each another PostgresBackend, whose change versions are this one's).
    /// Statements use positional parameters and are prepared automatically once they repeat. Each command holds one
    /// statement: Npgsql sends the later statements of a command with parameters from a thread-pool thread, so a
    /// starved pool (a busy web service) would stall them for seconds.
    /// </summary>
    internal sealed class PostgresBackend : IStoreBackend
    {
        private const int MaxAttempts = 4;
        private const int PageSize = 1000;
        private readonly NpgsqlConnection connection;
        private readonly string connectionString;
        private readonly string schema;
        private readonly string?[] secrets;
        private readonly PostgresLocalChanges localChanges;
        private readonly string keyColumns;
        private readonly string insertSql;
        private readonly string appendSql;
        private readonly string touchSql;
        private readonly string verifySql;
        private NpgsqlCommand? verify;
        private PostgresChangeListener? listener;
        // A verifier's read connections: their change versions are the store's, heard by its listener.
        private readonly ChangeTracker tracker = new ChangeTracker();
        private PostgresBackend? owner;
        private KeyReaderPool<PostgresBackend>? readers;
        private NpgsqlTransaction? transaction;
        private bool keysChanged;

        private PostgresBackend(NpgsqlConnection connection, string connectionString, string schema, string location, string?[] secrets, Guid storeId)
        {
            this.connection = connection;
            this.connectionString = connectionString;
            this.schema = schema;
            this.secrets = secrets;
            Location = location;
            StoreId = storeId;
            localChanges = PostgresLocalChanges.For(storeId);
            string s = PostgresSchema.Quote(schema);
            keyColumns = "SELECT id, name, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at, " +
                         $"CASE WHEN previous_key_hash IS NULL THEN NULL ELSE previous_key_expires_at END, previous_key_last_used_at FROM {s}.api_keys ";
            insertSql = $"INSERT INTO {s}.api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at) " +
                        "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
            appendSql = $"INSERT INTO {s}.audit_log (at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id, count, last_at) " +
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
            touchSql = $"UPDATE {s}.api_keys AS k SET last_used_at = u.at FROM unnest($1::integer[], $2::bigint[]) AS u(id, at) " +
                       "WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)";
            verifySql = "SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist, previous_key_hash, previous_key_expires_at, previous_key_last_used_at " +
                        $"FROM {s}.api_keys " +
                        $"WHERE id = $1 AND hash_algorithm = '{KeySecret.HashAlgorithm}'";
        }

        /// <summary>
        /// Opens (upgrading the schema when needed) the store in <paramref name="schema"/>; when there is none yet, creates
        /// it, or returns null when <paramref name="create"/> is false.
        /// </summary>
        public static PostgresBackend? Open(string connectionString, TimeSpan busyTimeout, string schema = PostgresSchema.DefaultName, bool create = true)
        {
            // The schema is part of where the store is: two stores in one database differ by it, as two files by their paths.
            string location = PostgresConnectionString.Describe(connectionString) +
                              (schema == PostgresSchema.DefaultName ? "" : ";Schema=" + schema);
            string?[] secrets = PostgresConnectionString.Secrets(connectionString);
            string? problem = PostgresSchema.Problem(schema);
            if (problem != null)
            {
                throw StoreErrors.Unavailable(location, problem, "Give another schema name.", null);
            }
            NpgsqlConnectionStringBuilder given = PostgresConnectionString.Parse(connectionString, location, secrets);
            string used;
            try
            {
                used = PostgresConnectionString.ForStore(connectionString, given, busyTimeout);
            }
            catch (ArgumentException e)
            {
                throw PostgresErrors.From(e, location, schema, secrets);
            }
            for (int attempt = 1; ; attempt++)
            {
                NpgsqlConnection connection = PostgresTls.Connection(used);
                try
                {
                    connection.Open();
                    Guid? storeId = PostgresConnection.Prepare(connection, schema, location, create);
                    if (storeId == null)
                    {
                        connection.Dispose();
                        return null;
                    }
                    return new PostgresBackend(connection, used, schema, location, secrets, storeId.Value);
                }
                catch (NpgsqlException) when (attempt == 1 && (connection.FullState & ConnectionState.Broken) != 0)
                {
                    // A pooled connection that died with the server (a restart, a failover) breaks on its first use:
                    // the pool's other connections died with it, so they go, and one new connection is tried.
                    NpgsqlConnection.ClearPool(connection);
                    connection.Dispose();
                }
                catch (Exception e) when (PostgresErrors.Maps(e))
                {
                    connection.Dispose();
                    throw PostgresErrors.From(e, location, schema, secrets);
                }
                catch
                {
                    connection.Dispose();
                    throw;
                }
            }
        }

        public string Location { get; }
        public Guid StoreId { get; }
        public bool InTransaction => transaction != null;

        /// <summary>The server process of the store's connection (for tests that end it).</summary>
        internal int ServerProcessId => connection.ProcessID;

        /// <summary>True while a listener vouches for this store's verification cache (see <see cref="PostgresChangeListener"/>).</summary>
        internal bool IsListening => listener != null && listener.IsListening;

        /// <summary>
        /// BEGIN goes out with the first statement (Npgsql sends it so). The transaction is retried on a deadlock or
        /// serialization failure, and once on a connection lost before COMMIT was sent (the server then rolled it back);
        /// a connection lost during COMMIT is reported, since the change may or may not have been made.
        /// </summary>
        public T Write<T>(Func<T> work)
        {
            for (int attempt = 1; ; attempt++)
            {
                bool committing = false;
                try
                {
                    EnsureOpen();
                    keysChanged = false;
                    transaction = connection.BeginTransaction();
                    T result = work();
                    committing = true;
                    transaction.Commit();
                    if (keysChanged)
                    {
                        localChanges.Add();
                    }
                    return result;
                }
                catch (NpgsqlException e)
                {
                    Rollback();
                    if (e is PostgresException p && p.SqlState == PostgresErrors.UniqueViolation)
                    {
                        throw new NameTakenException(e);
                    }
                    bool retry = PostgresErrors.IsRetryable(e) || attempt == 1 && !committing && ConnectionLost;
                    if (!retry || attempt == MaxAttempts)
                    {
                        throw PostgresErrors.From(e, Location, schema, secrets);
                    }
                    Thread.Sleep(10 * attempt);
                }
                catch
                {
                    Rollback();
                    throw;
                }
                finally
                {
                    Forget(transaction);
                    transaction = null;
                }
            }
        }

        public int InsertKey(StoredKey key, byte[] hash)
        {
            using (NpgsqlCommand command = Command(insertSql,
                Param(key.Name, NpgsqlDbType.Text),
                Param(key.FoldedName, NpgsqlDbType.Text),
                Param(key.CreatedAt, NpgsqlDbType.Bigint),
                Param(key.Allowlist, NpgsqlDbType.Text),
                Param(hash, NpgsqlDbType.Bytea),
                Param(KeySecret.HashAlgorithm, NpgsqlDbType.Text),
                Param(key.ExpiresAt, NpgsqlDbType.Bigint)))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                reader.Read();
                return reader.GetInt32(0);
            }
        }

        public void UpdateKey(StoredKey key, byte[]? newHash, PreviousKeyUpdate previous)
        {
            var parameters = new List<NpgsqlParameter>
            {
                Param(key.Id, NpgsqlDbType.Integer),
                Param(key.Name, NpgsqlDbType.Text),
                Param(key.FoldedName, NpgsqlDbType.Text),
                Param(key.Allowlist, NpgsqlDbType.Text),
                Param(key.ExpiresAt, NpgsqlDbType.Bigint),
                Param(key.Revoked, NpgsqlDbType.Boolean),
                Param(key.RevokedReason, NpgsqlDbType.Text),
            };
            string hashColumns = "";
            if (newHash != null)
            {
                parameters.Add(Param(newHash, NpgsqlDbType.Bytea));
                parameters.Add(Param(KeySecret.HashAlgorithm, NpgsqlDbType.Text));
                hashColumns = $", key_hash = ${parameters.Count - 1}, hash_algorithm = ${parameters.Count}";
            }
            // The right-hand sides read the row as it was: previous_key_hash = key_hash takes the hash being replaced.
            string previousColumns = "";
            if (previous == PreviousKeyUpdate.Clear)
            {
                previousColumns = ", previous_key_hash = NULL, previous_key_expires_at = NULL, previous_key_last_used_at = NULL";
            }
            else if (previous == PreviousKeyUpdate.FromCurrent || key.PreviousKeyExpiresAt != null)
            {
                parameters.Add(Param(key.PreviousKeyExpiresAt, NpgsqlDbType.Bigint));
                previousColumns = previous == PreviousKeyUpdate.FromCurrent
                    ? $", previous_key_hash = key_hash, previous_key_expires_at = ${parameters.Count}, previous_key_last_used_at = NULL"
                    : $", previous_key_expires_at = ${parameters.Count}";
            }
            string sql = $"UPDATE {PostgresSchema.Quote(schema)}.api_keys SET name = $2, name_folded = $3, allowlist = $4, expires_at = $5, " +
                         "revoked = $6, revoked_reason = $7" + previousColumns + hashColumns + " WHERE id = $1";
            keysChanged = true;
            using (NpgsqlCommand command = Command(sql, parameters.ToArray()))
            {
                command.ExecuteNonQuery();
            }
        }

        public void DeleteKey(int id)
        {
            keysChanged = true;
            using (NpgsqlCommand command = Command($"DELETE FROM {PostgresSchema.Quote(schema)}.api_keys WHERE id = $1", Param(id, NpgsqlDbType.Integer)))
            {
                command.ExecuteNonQuery();
            }
        }

        public void AppendAudit(AuditRecord record) => Run(() =>
        {
            using (NpgsqlCommand command = Command(appendSql, AuditParameters(record)))
            {
                command.ExecuteNonQuery();
            }
            return 0;
        });

        /// <summary>One statement for the whole batch.</summary>
        public void WriteLastUses(IEnumerable<KeyValuePair<int, long>> uses)
        {
            // In id order: verifiers recording the same keys at once then lock their rows in the same order.
            KeyValuePair<int, long>[] sorted = uses.OrderBy(use => use.Key).ToArray();
            if (sorted.Length == 0)
            {
                return;
            }
            using (NpgsqlCommand command = Command(touchSql,
                Param(sorted.Select(use => use.Key).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Param(sorted.Select(use => use.Value).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint)))
            {
                command.ExecuteNonQuery();
            }
        }

        /// <summary>One statement for the whole batch, as <see cref="WriteLastUses"/>.</summary>
        public void WritePreviousLastUses(IEnumerable<PreviousKeyUse> uses)
        {
            PreviousKeyUse[] sorted = uses.OrderBy(use => use.Id).ToArray();
            if (sorted.Length == 0)
            {
                return;
            }
            string sql = $"UPDATE {PostgresSchema.Quote(schema)}.api_keys AS k SET previous_key_last_used_at = u.at " +
                         "FROM unnest($1::integer[], $2::bigint[], $3::bytea[]) AS u(id, at, hash) " +
                         "WHERE k.id = u.id AND k.previous_key_hash = u.hash AND (k.previous_key_last_used_at IS NULL OR k.previous_key_last_used_at < u.at)";
            using (NpgsqlCommand command = Command(sql,
                Param(sorted.Select(use => use.Id).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Param(sorted.Select(use => use.At).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint),
                Param(sorted.Select(use => use.Hash).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bytea)))
            {
                command.ExecuteNonQuery();
            }
        }

        /// <summary>FOR UPDATE: a verifier role may lock the row (it may update a column of it), so two recording the same end queue.</summary>
        public PreviousKeyRow? ReadPreviousKey(int id)
        {
            string sql = $"SELECT name, previous_key_expires_at, previous_key_last_used_at FROM {PostgresSchema.Quote(schema)}.api_keys " +
                         "WHERE id = $1 AND previous_key_hash IS NOT NULL AND previous_key_expires_at IS NOT NULL FOR UPDATE";
            using (NpgsqlCommand command = Command(sql, Param(id, NpgsqlDbType.Integer)))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return null;
                }
                return PreviousKeyRow.FromRow(reader);
            }
        }

        public bool HasAudit(int keyId, string action, long since)
        {
            string sql = $"SELECT EXISTS (SELECT 1 FROM {PostgresSchema.Quote(schema)}.audit_log WHERE key_id = $1 AND at >= $2 AND action = $3)";
            using (NpgsqlCommand command = Command(sql, Param(keyId, NpgsqlDbType.Integer), Param(since, NpgsqlDbType.Bigint), Param(action, NpgsqlDbType.Text)))
            {
                // EXISTS: always one row.
                return (bool)command.ExecuteScalar()!;
            }
        }

        /// <summary>
        /// Read whole before they are handed out (the connection runs one statement at a time). Inside a transaction the
        /// rows are locked until it ends, so that a change is made to the key as it is now, not as another session left it.
        /// </summary>
        public IEnumerable<StoredKey> ReadKeys(KeySelection selection, object? value)
        {
            string lockRows = InTransaction ? " FOR UPDATE" : "";
            switch (selection)
            {
                case KeySelection.Id:
                    return Run(() => Keys("WHERE id = $1" + lockRows, Param((int?)value, NpgsqlDbType.Integer)));
                case KeySelection.FoldedName:
                    return Run(() => Keys("WHERE name_folded = $1" + lockRows, Param((string?)value, NpgsqlDbType.Text)));
                case KeySelection.FoldedNamePrefix:
                    // Under COLLATE "C", U+10FFFF sorts after every character: the range of names with the prefix, through the index.
                    return Run(() => Keys("WHERE name_folded >= $1 AND name_folded < $2 ORDER BY id" + lockRows,
                        Param((string?)value, NpgsqlDbType.Text), Param((string?)value + "\U0010FFFF", NpgsqlDbType.Text)));
                default:
                    return Run(() => Keys("ORDER BY id" + lockRows));
            }
        }

        /// <summary>Read a page at a time (newest first, continuing below the last row read), so a long log streams.</summary>
        public IEnumerable<AuditRecord> ReadAudit(IReadOnlyCollection<int>? keyIds, long? after, long? before)
        {
            long? lastAt = null, lastId = null;
            while (true)
            {
                List<AuditRecord> page = Run(() => AuditPage(keyIds, after, before, lastAt, lastId));
                foreach (AuditRecord record in page)
                {
                    yield return record;
                }
                if (page.Count < PageSize)
                {
                    yield break;
                }
                lastAt = page[page.Count - 1].At;
                lastId = page[page.Count - 1].Id;
            }
        }

        public VerifiedKey? ReadForVerification(int id) => Run(() =>
        {
            if (verify == null)
            {
                verify = new NpgsqlCommand(verifySql, connection);
                verify.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            }
            verify.Parameters[0].Value = id;
            using (NpgsqlDataReader reader = verify.ExecuteReader())
            {
                if (!reader.Read())
                {
                    return null;
                }
                return new VerifiedKey(reader.GetString(0), (byte[])reader.GetValue(1), reader.GetBoolean(2),
                    reader.IsDBNull(3) ? (long?)null : reader.GetInt64(3),
                    reader.IsDBNull(4) ? (long?)null : reader.GetInt64(4),
                    reader.GetString(5))
                {
                    PreviousHash = reader.IsDBNull(6) || reader.IsDBNull(7) ? null : (byte[])reader.GetValue(6),
                    PreviousExpiresAt = reader.IsDBNull(7) ? (long?)null : reader.GetInt64(7),
                    PreviousLastUsedAt = reader.IsDBNull(8) ? (long?)null : reader.GetInt64(8),
                };
            }
        });

        /// <summary>
        /// No round trip: what the listener has heard (started on first use, so that a store that never hits its cache
        /// does not pay for it) plus the changes committed through this process.
        /// </summary>
        public long ChangeVersion() => owner != null ? owner.ChangeVersion() : Listener().Version + localChanges.Count;

        public ChangeTracker Tracker => owner != null ? owner.Tracker : tracker;

        /// <summary>Starts the listener; verifications then read through pooled connections of their own.</summary>
        public void PrepareForVerification()
        {
            Listener();
            readers = readers ?? new KeyReaderPool<PostgresBackend>(OpenReader, KeyReaderPool<PostgresBackend>.DefaultSize);
        }

        public IKeyReader RentReader() => readers == null ? this : (IKeyReader)readers.Rent();

        public void ReturnReader(IKeyReader reader)
        {
            if (reader != this)
            {
                // Any reader but this backend itself was rented from the pool.
                readers!.Return((PostgresBackend)reader);
            }
        }

        /// <summary>A pooled reader holds nothing between lookups.</summary>
        public void EndIdleReads()
        {
        }

        /// <summary>Another connection to the same store (its identity checked), for one verification at a time.</summary>
        private PostgresBackend OpenReader()
        {
            NpgsqlConnection opened = PostgresTls.Connection(connectionString);
            try
            {
                opened.Open();
                Guid? id = PostgresConnection.Prepare(opened, schema, Location, create: false);
                if (id != StoreId)
                {
                    string now = id == null ? "no longer holds the store" : $"now holds another store (id {id}, not {StoreId})";
                    throw StoreErrors.Unavailable(Location, $"the schema '{SafeText.Escape(schema)}' {now}", "Open the store again.", null);
                }
                return new PostgresBackend(opened, connectionString, schema, Location, secrets, StoreId) { owner = this };
            }
            catch (Exception e) when (PostgresErrors.Maps(e))
            {
                opened.Dispose();
                throw PostgresErrors.From(e, Location, schema, secrets);
            }
            catch
            {
                opened.Dispose();
                throw;
            }
        }

        public long DeleteAuditBefore(long before) => AuditBefore("DELETE FROM", before, command => command.ExecuteNonQuery());

        public long CountAuditBefore(long before) => AuditBefore("SELECT count(*) FROM", before, command => (long)command.ExecuteScalar()!);

        /// <summary>The rows whose last event is before the bound; at (which is indexed) is never after last_at.</summary>
        private long AuditBefore(string statement, long before, Func<NpgsqlCommand, long> run) => Run(() =>
        {
            using (NpgsqlCommand command = Command($"{statement} {PostgresSchema.Quote(schema)}.audit_log WHERE at < $1 AND coalesce(last_at, at) < $1",
                Param(before, NpgsqlDbType.Bigint)))
            {
                return run(command);
            }
        });

        /// <summary>REPEATABLE READ: every statement of the transaction sees the database as its first one did.</summary>
        public T Snapshot<T>(Func<T> work)
        {
            try
            {
                EnsureOpen();
                transaction = connection.BeginTransaction(IsolationLevel.RepeatableRead);
                Execute("SET TRANSACTION READ ONLY");
                T result = work();
                transaction.Commit();
                return result;
            }
            catch (NpgsqlException e)
            {
                Rollback();
                throw PostgresErrors.From(e, Location, schema, secrets);
            }
            catch
            {
                Rollback();
                throw;
            }
            finally
            {
                Forget(transaction);
                transaction = null;
            }
        }

        /// <summary>
        /// The high-water mark is the identity sequence's last value where this role may read it (it counts deleted
        /// rows), and never below the highest id present.
        /// </summary>
        public StoreExtent ReadExtent() => Mapped(() =>
        {
            string s = PostgresSchema.Quote(schema);
            string sql = $"SELECT (SELECT count(*) FROM {s}.api_keys), (SELECT count(*) FROM {s}.audit_log), " +
                         $"GREATEST((SELECT coalesce(max(id), 0) FROM {s}.api_keys), {SequenceLastValue("$1")}), " +
                         $"GREATEST((SELECT coalesce(max(id), 0) FROM {s}.audit_log), {SequenceLastValue("$2")})";
            using (NpgsqlCommand command = Command(sql, Param(s + ".api_keys", NpgsqlDbType.Text), Param(s + ".audit_log", NpgsqlDbType.Text)))
            using (NpgsqlDataReader reader = command.ExecuteReader())
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
        });

        /// <summary>A page at a time, continuing above the last id read: the connection runs one statement at a time.</summary>
        public IEnumerable<KeyRowAsIs> ReadKeysAsIs() => Paged(lastId => Mapped(() =>
        {
            var page = new List<KeyRowAsIs>();
            string sql = "SELECT id, name, name_folded, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at, key_hash, hash_algorithm, " +
                         "previous_key_hash, previous_key_expires_at, previous_key_last_used_at " +
                         $"FROM {PostgresSchema.Quote(schema)}.api_keys WHERE id > $1 ORDER BY id LIMIT {PageSize}";
            using (NpgsqlCommand command = Command(sql, Param(lastId, NpgsqlDbType.Bigint)))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    page.Add(new KeyRowAsIs
                    {
                        Key = new StoredKey
                        {
                            Id = reader.GetInt32(0),
                            Name = reader.GetString(1),
                            FoldedName = reader.GetString(2),
                            CreatedAt = reader.GetInt64(3),
                            Allowlist = reader.GetString(4),
                            ExpiresAt = reader.IsDBNull(5) ? (long?)null : reader.GetInt64(5),
                            Revoked = reader.GetBoolean(6),
                            RevokedReason = Text(reader, 7),
                            LastUsedAt = reader.IsDBNull(8) ? (long?)null : reader.GetInt64(8),
                            PreviousKeyExpiresAt = reader.IsDBNull(12) ? (long?)null : reader.GetInt64(12),
                            PreviousKeyLastUsedAt = reader.IsDBNull(13) ? (long?)null : reader.GetInt64(13),
                        },
                        Hash = (byte[])reader.GetValue(9),
                        HashAlgorithm = reader.GetString(10),
                        PreviousHash = reader.IsDBNull(11) ? null : (byte[])reader.GetValue(11),
                    });
                }
            }
            return page;
        }), row => row.Key.Id);

        public IEnumerable<AuditRecord> ReadAuditAsIs() => Paged(lastId => Mapped(() =>
        {
            var page = new List<AuditRecord>();
            string sql = $"SELECT {AuditRecord.Columns} FROM {PostgresSchema.Quote(schema)}.audit_log WHERE id > $1 ORDER BY id LIMIT {PageSize}";
            using (NpgsqlCommand command = Command(sql, Param(lastId, NpgsqlDbType.Bigint)))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    page.Add(AuditRecord.FromRow(reader));
                }
            }
            return page;
        }), row => row.Id);

        /// <summary>SHARE ROW EXCLUSIVE: other sessions still read, but none writes either table until this transaction ends.</summary>
        public bool LockIfEmpty()
        {
            string s = PostgresSchema.Quote(schema);
            Execute($"LOCK TABLE {s}.api_keys, {s}.audit_log IN SHARE ROW EXCLUSIVE MODE");
            using (NpgsqlCommand command = Command($"SELECT NOT EXISTS (SELECT 1 FROM {s}.api_keys) AND NOT EXISTS (SELECT 1 FROM {s}.audit_log)"))
            {
                // Two NOT EXISTS: always one row.
                return (bool)command.ExecuteScalar()!;
            }
        }

        public void InsertKeyAsIs(KeyRowAsIs row)
        {
            StoredKey key = row.Key;
            string sql = $"INSERT INTO {PostgresSchema.Quote(schema)}.api_keys " +
                         "(id, name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at, revoked, revoked_reason, last_used_at, " +
                         "previous_key_hash, previous_key_expires_at, previous_key_last_used_at) " +
                         "OVERRIDING SYSTEM VALUE VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";
            using (NpgsqlCommand command = Command(sql,
                Param(key.Id, NpgsqlDbType.Integer),
                Param(key.Name, NpgsqlDbType.Text),
                Param(key.FoldedName, NpgsqlDbType.Text),
                Param(key.CreatedAt, NpgsqlDbType.Bigint),
                Param(key.Allowlist, NpgsqlDbType.Text),
                Param(row.Hash, NpgsqlDbType.Bytea),
                Param(row.HashAlgorithm, NpgsqlDbType.Text),
                Param(key.ExpiresAt, NpgsqlDbType.Bigint),
                Param(key.Revoked, NpgsqlDbType.Boolean),
                Param(key.RevokedReason, NpgsqlDbType.Text),
                Param(key.LastUsedAt, NpgsqlDbType.Bigint),
                Param(row.PreviousHash, NpgsqlDbType.Bytea),
                Param(key.PreviousKeyExpiresAt, NpgsqlDbType.Bigint),
                Param(key.PreviousKeyLastUsedAt, NpgsqlDbType.Bigint)))
            {
                command.ExecuteNonQuery();
            }
        }

        public void InsertAuditAsIs(AuditRecord record)
        {
            string sql = $"INSERT INTO {PostgresSchema.Quote(schema)}.audit_log " +
                         "(id, at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id, count, last_at) " +
                         "OVERRIDING SYSTEM VALUE VALUES ($13, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
            var parameters = new List<NpgsqlParameter>(AuditParameters(record)) { Param(record.Id, NpgsqlDbType.Bigint) };
            using (NpgsqlCommand command = Command(sql, parameters.ToArray()))
            {
                command.ExecuteNonQuery();
            }
        }

        /// <summary>setval to the highest of the mark given, the sequence's own and the ids present; never below 1, which setval refuses.</summary>
        public void RaiseIdHighWater(long keyId, long auditId)
        {
            string s = PostgresSchema.Quote(schema);
            foreach ((string table, long highWater) in new[] { ("api_keys", keyId), ("audit_log", auditId) })
            {
                string sql = $"SELECT setval(pg_get_serial_sequence($1, 'id'), GREATEST($2, (SELECT coalesce(max(id), 0) FROM {s}.{table}), {SequenceLastValue("$1")}, 1), " +
                             $"GREATEST($2, (SELECT coalesce(max(id), 0) FROM {s}.{table}), {SequenceLastValue("$1")}) > 0)";
                using (NpgsqlCommand command = Command(sql, Param(s + "." + table, NpgsqlDbType.Text), Param(highWater, NpgsqlDbType.Bigint)))
                {
                    command.ExecuteNonQuery();
                }
            }
        }

        public void Dispose()
        {
            readers?.Dispose();
            listener?.Dispose();
            verify?.Dispose();
            connection.Dispose();
        }

        private PostgresChangeListener Listener() =>
            listener ?? (listener = new PostgresChangeListener(PostgresConnectionString.ForListener(connectionString), schema, StoreId));

        private List<StoredKey> Keys(string condition, params NpgsqlParameter[] parameters)
        {
            var keys = new List<StoredKey>();
            using (NpgsqlCommand command = Command(keyColumns + condition, parameters))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    keys.Add(new StoredKey
                    {
                        Id = reader.GetInt32(0),
                        Name = reader.GetString(1),
                        CreatedAt = reader.GetInt64(2),
                        Allowlist = reader.GetString(3),
                        ExpiresAt = reader.IsDBNull(4) ? (long?)null : reader.GetInt64(4),
                        Revoked = reader.GetBoolean(5),
                        RevokedReason = reader.IsDBNull(6) ? null : reader.GetString(6),
                        LastUsedAt = reader.IsDBNull(7) ? (long?)null : reader.GetInt64(7),
                        PreviousKeyExpiresAt = reader.IsDBNull(8) ? (long?)null : reader.GetInt64(8),
                        PreviousKeyLastUsedAt = reader.IsDBNull(9) ? (long?)null : reader.GetInt64(9),
                    });
                }
            }
            return keys;
        }

        private List<AuditRecord> AuditPage(IReadOnlyCollection<int>? keyIds, long? after, long? before, long? lastAt, long? lastId)
        {
            var conditions = new List<string>();
            var parameters = new List<NpgsqlParameter>();
            void Add(string condition, object value, NpgsqlDbType type)
            {
                parameters.Add(Param(value, type));
                conditions.Add(condition.Replace("@", "$" + parameters.Count));
            }
            if (keyIds != null && keyIds.Count > 0)
            {
                Add("key_id = ANY(@)", keyIds.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer);
            }
            if (after != null)
            {
                Add("at > @", after.Value, NpgsqlDbType.Bigint);
            }
            if (before != null)
            {
                Add("at < @", before.Value, NpgsqlDbType.Bigint);
            }
            if (lastAt != null && lastId != null)
            {
                parameters.Add(Param(lastAt.Value, NpgsqlDbType.Bigint));
                parameters.Add(Param(lastId.Value, NpgsqlDbType.Bigint));
                conditions.Add($"(at, id) < (${parameters.Count - 1}, ${parameters.Count})");
            }
            string sql = "SELECT " + AuditRecord.Columns + " FROM " + PostgresSchema.Quote(schema) + ".audit_log" +
                         (conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "") +
                         " ORDER BY at DESC, id DESC LIMIT " + PageSize;
            var page = new List<AuditRecord>();
            using (NpgsqlCommand command = Command(sql, parameters.ToArray()))
            using (NpgsqlDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    page.Add(AuditRecord.FromRow(reader));
                }
            }
            return page;
        }

        /// <summary>The last value of the identity sequence of the table named by <paramref name="table"/>; 0 when none was given or this role may not read it.</summary>
        private static string SequenceLastValue(string table) =>
            "coalesce((SELECT CASE WHEN has_sequence_privilege(q.seq, 'SELECT') OR has_sequence_privilege(q.seq, 'USAGE') " +
            $"THEN pg_sequence_last_value(q.seq::regclass) END FROM (SELECT pg_get_serial_sequence({table}, 'id') AS seq) AS q), 0)";

        /// <summary>Rows read a page at a time, each page above the last id of the one before.</summary>
        private static IEnumerable<T> Paged<T>(Func<long, List<T>> page, Func<T, long> id)
        {
            long lastId = 0;
            while (true)
            {
                List<T> rows = page(lastId);
                foreach (T row in rows)
                {
                    yield return row;
                }
                if (rows.Count < PageSize)
                {
                    yield break;
                }
                lastId = id(rows[rows.Count - 1]);
            }
        }

        /// <summary>
        /// Reads of a snapshot report their failures as this store's errors: they run inside another store's write
        /// transaction, which would otherwise take them for its own.
        /// </summary>
        private T Mapped<T>(Func<T> read)
        {
            try
            {
                return read();
            }
            catch (NpgsqlException e)
            {
                throw PostgresErrors.From(e, Location, schema, secrets);
            }
        }

        private void Execute(string sql)
        {
            using (NpgsqlCommand command = Command(sql))
            {
                command.ExecuteNonQuery();
            }
        }

        private static void Forget(NpgsqlTransaction? ended)
        {
            try
            {
                ended?.Dispose();
            }
            catch (Exception e) when (e is NpgsqlException || e is InvalidOperationException)
            {
                // Only a broken connection fails here, and its transaction is gone with it.
            }
        }

        private NpgsqlCommand Command(string sql, params NpgsqlParameter[] parameters)
        {
            var command = new NpgsqlCommand(sql, connection);
            command.Parameters.AddRange(parameters);
            return command;
        }

        private void Rollback()
        {
            if (transaction == null || !ConnectionOpen)
            {
                return;
            }
            try
            {
                transaction.Rollback();
            }
            catch (Exception e) when (e is NpgsqlException || e is InvalidOperationException)
            {
                // The connection failed: the server rolls the transaction back itself.
            }
        }


        private static NpgsqlParameter[] AuditParameters(AuditRecord record) =>
            new[]
            {
                Param(record.At, NpgsqlDbType.Bigint),
                Param(record.Action, NpgsqlDbType.Text),
                Param(record.KeyId, NpgsqlDbType.Integer),
                Param(record.KeyName, NpgsqlDbType.Text),
                Param(record.OldValue, NpgsqlDbType.Text),
                Param(record.NewValue, NpgsqlDbType.Text),
                Param(record.Details, NpgsqlDbType.Text),
                Param(record.User, NpgsqlDbType.Text),
                Param(record.Host, NpgsqlDbType.Text),
                Param(record.ProcessId, NpgsqlDbType.Integer),
                Param(record.Count, NpgsqlDbType.Bigint),
                Param(record.LastAt, NpgsqlDbType.Bigint),
            };

        /// <summary>
        /// Outside a transaction: maps failures to store errors, and reads once more on a new connection when the old one
        /// had died while idle (a restarted server, a killed session). Inside one, <see cref="Write"/> handles failures.
        /// </summary>
        private T Run<T>(Func<T> operation)
        {
            if (InTransaction)
            {
                return operation();
            }
            for (int attempt = 1; ; attempt++)
            {
                try
                {
                    EnsureOpen();
                    return operation();
                }
                catch (NpgsqlException e)
                {
                    if (attempt == 1 && ConnectionLost)
                    {
                        continue;
                    }
                    throw PostgresErrors.From(e, Location, schema, secrets);
                }
            }
        }

        /// <summary>After a lost connection: a new one, to the same store (its identity is checked again).</summary>
        private void EnsureOpen()
        {
            if (ConnectionOpen)
            {
                return;
            }
            connection.Close();
            connection.Open();
            Guid? id = PostgresConnection.Prepare(connection, schema, Location, create: false);
            if (id != StoreId)
            {
                connection.Close();
                string now = id == null ? "no longer holds the store" : $"now holds another store (id {id}, not {StoreId})";
                throw StoreErrors.Unavailable(Location, $"the schema '{SafeText.Escape(schema)}' {now}", "Open the store again.", null);
            }
        }

        private bool ConnectionOpen => (connection.FullState & ConnectionState.Open) != 0 && (connection.FullState & ConnectionState.Broken) == 0;

        private bool ConnectionLost => !ConnectionOpen;

        private static NpgsqlParameter Param(object? value, NpgsqlDbType type) =>
            new NpgsqlParameter { NpgsqlDbType = type, Value = value ?? DBNull.Value };

        private static string? Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
    }
}
