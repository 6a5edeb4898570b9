using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// What a store needs of its database. Every rule (names, allowlists, expiry, audit content, verification and its
    /// cache, last-use batching) lives in <see cref="ApiKeyStore"/>; a backend reads and writes rows, in transactions,
    /// and turns its database's failures into store errors (<see cref="ApiKeyException"/> with a Store* ErrorId).
    /// </summary>
    internal interface IStoreBackend : IKeyReader, IDisposable
    {
        /// <summary>Where the store was opened, as shown to the user: a path, or a connection without its password.</summary>
        string Location { get; }

        /// <summary>The store's own identity, kept inside it.</summary>
        Guid StoreId { get; }

        bool InTransaction { get; }

        /// <summary>
        /// Runs <paramref name="work"/> in one write transaction and commits when it returns. A key read inside it is the
        /// key as it is now, and no other writer changes it before the commit (SQLite takes the write lock at once;
        /// PostgreSQL locks the rows read). A name that another key has throws <see cref="NameTakenException"/>.
        /// </summary>
        T Write<T>(Func<T> work);

        /// <summary>Inside <see cref="Write"/>: adds the key and returns its new id.</summary>
        int InsertKey(StoredKey key, byte[] hash);

        /// <summary>
        /// Inside <see cref="Write"/>: replaces the key's fields, and its hash when <paramref name="newHash"/> is given;
        /// <paramref name="previous"/> says what becomes of its previous secret (with <see cref="PreviousKeyUpdate.FromCurrent"/>,
        /// the hash being replaced).
        /// </summary>
        void UpdateKey(StoredKey key, byte[]? newHash, PreviousKeyUpdate previous);

        /// <summary>Inside <see cref="Write"/>.</summary>
        void DeleteKey(int id);

        /// <summary>Inside <see cref="Write"/>.</summary>
        void AppendAudit(AuditRecord record);

        /// <summary>Inside <see cref="Write"/>: sets each key's last use, unless a later one is already stored.</summary>
        void WriteLastUses(IEnumerable<KeyValuePair<int, long>> uses);

        /// <summary>
        /// Inside <see cref="Write"/>: sets the last use of each key's previous secret, while the key still holds that
        /// secret (its hash) and no later use is stored.
        /// </summary>
        void WritePreviousLastUses(IEnumerable<PreviousKeyUse> uses);

        /// <summary>
        /// Inside <see cref="Write"/>: the key's previous secret as stored, or null when it holds none. On PostgreSQL the
        /// row stays locked until the transaction ends, so that its end is recorded once.
        /// </summary>
        PreviousKeyRow? ReadPreviousKey(int id);

        /// <summary>Inside <see cref="Write"/>: whether the audit log has a row of this action for this key at or after <paramref name="since"/> (ms).</summary>
        bool HasAudit(int keyId, string action, long since);

        /// <summary>Keys by id, read as they are enumerated (failures then become store errors too).</summary>
        IEnumerable<StoredKey> ReadKeys(KeySelection selection, object? value);

        /// <summary>Newest first; each filter is optional; bounds are exclusive, in milliseconds since 1970.</summary>
        IEnumerable<AuditRecord> ReadAudit(IReadOnlyCollection<int>? keyIds, long? after, long? before);

        /// <summary>
        /// Readies the store for a long-lived verifier: <see cref="RentReader"/> then gives read connections of their own
        /// to concurrent verifications (opened as needed, kept until the store is disposed).
        /// </summary>
        void PrepareForVerification();

        /// <summary>
        /// What a verification reads through: the store's own connection (this backend), or after
        /// <see cref="PrepareForVerification"/> a read connection for this thread alone. Give it back with <see cref="ReturnReader"/>.
        /// </summary>
        IKeyReader RentReader();

        void ReturnReader(IKeyReader reader);

        /// <summary>By a verifier's background thread: what idle readers hold open is let go (SQLite: a read transaction).</summary>
        void EndIdleReads();

        /// <summary>Inside <see cref="Write"/>: removes the audit rows whose last event (last_at, else at) is before the bound; returns how many.</summary>
        long DeleteAuditBefore(long before);

        /// <summary>How many audit rows <see cref="DeleteAuditBefore"/> would remove now.</summary>
        long CountAuditBefore(long before);

        /// <summary>
        /// Runs <paramref name="work"/> in one read-only transaction: everything the *AsIs reads return inside it is the
        /// store at one moment, whatever other writers commit meanwhile.
        /// </summary>
        T Snapshot<T>(Func<T> work);

        /// <summary>Inside <see cref="Snapshot"/>: how many rows there are, and the highest ids ever given out.</summary>
        StoreExtent ReadExtent();

        /// <summary>Inside <see cref="Snapshot"/>: every key row as stored (hash and folded name included), by id, read as enumerated.</summary>
        IEnumerable<KeyRowAsIs> ReadKeysAsIs();

        /// <summary>Inside <see cref="Snapshot"/>: every audit row, oldest id first, read as enumerated.</summary>
        IEnumerable<AuditRecord> ReadAuditAsIs();

        /// <summary>
        /// Inside <see cref="Write"/>: true when the store holds no key and no audit row. Other writers then wait until the
        /// transaction ends, so that it is still empty when the rows are added.
        /// </summary>
        bool LockIfEmpty();

        /// <summary>Inside <see cref="Write"/>: adds the key row as given, its id kept.</summary>
        void InsertKeyAsIs(KeyRowAsIs key);

        /// <summary>Inside <see cref="Write"/>: adds the audit row as given, its id kept.</summary>
        void InsertAuditAsIs(AuditRecord record);

        /// <summary>Inside <see cref="Write"/>: new keys and audit rows get ids above these (and above any given before).</summary>
        void RaiseIdHighWater(long keyId, long auditId);
    }

    /// <summary>The size of a store, and the highest ids it has given out (deleted rows included).</summary>
    internal sealed class StoreExtent
    {
        public long Keys { get; set; }
        public long AuditRows { get; set; }
        public long KeyIdHighWater { get; set; }
        public long AuditIdHighWater { get; set; }
    }

    /// <summary>A key row with what verification checks it against, for copying a store.</summary>
    internal sealed class KeyRowAsIs
    {
        public StoredKey Key { get; set; } = new StoredKey();
        public byte[] Hash { get; set; } = Array.Empty<byte>();
        public string HashAlgorithm { get; set; } = "";
        /// <summary>The previous secret's hash (a reset with a grace period), or null; its end and last use are in <see cref="Key"/>.</summary>
        public byte[]? PreviousHash { get; set; }
    }

    internal enum KeySelection
    {
        All,
        Id,
        FoldedName,
        FoldedNamePrefix,
    }

    /// <summary>A row of the keys table, times in milliseconds since 1970 (UTC).</summary>
    internal sealed class StoredKey
    {
        public int Id { get; set; }
        public string Name { get; set; } = "";
        public string FoldedName { get; set; } = "";
        public long CreatedAt { get; set; }
        public string Allowlist { get; set; } = "";
        public long? ExpiresAt { get; set; }
        public bool Revoked { get; set; }
        public string? RevokedReason { get; set; }
        public long? LastUsedAt { get; set; }
        /// <summary>When the previous secret stops (or stopped) working, while the row holds one; else null.</summary>
        public long? PreviousKeyExpiresAt { get; set; }
        public long? PreviousKeyLastUsedAt { get; set; }
    }

    /// <summary>
    /// A row of the audit log, times in milliseconds since 1970 (UTC). A row may stand for many like events (failed
    /// verifications counted in memory): Count of them, the first At, the last LastAt.
    /// </summary>
    internal sealed class AuditRecord
    {
        /// <summary>The columns <see cref="FromRow"/> reads, in its order.</summary>
        public const string Columns = "id, at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id, count, last_at";

        public long Id { get; set; }
        public long At { get; set; }
        public long? LastAt { get; set; }
        public long Count { get; set; } = 1;
        public string Action { get; set; } = "";
        public int? KeyId { get; set; }
        public string? KeyName { get; set; }
        public string? OldValue { get; set; }
        public string? NewValue { get; set; }
        public string? Details { get; set; }
        public string User { get; set; } = "";
        public string Host { get; set; } = "";
        public int ProcessId { get; set; }

        /// <summary>The row a reader is on, when its columns are <see cref="Columns"/>.</summary>
        public static AuditRecord FromRow(System.Data.Common.DbDataReader reader) => new AuditRecord
        {
            Id = reader.GetInt64(0),
            At = reader.GetInt64(1),
            Action = reader.GetString(2),
            KeyId = reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3),
            KeyName = Text(reader, 4),
            OldValue = Text(reader, 5),
            NewValue = Text(reader, 6),
            Details = Text(reader, 7),
            User = reader.GetString(8),
            Host = reader.GetString(9),
            ProcessId = reader.GetInt32(10),
            Count = reader.GetInt64(11),
            LastAt = reader.IsDBNull(12) ? (long?)null : reader.GetInt64(12),
        };

        private static string? Text(System.Data.Common.DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);
    }

    /// <summary>Thrown by a backend when a key's name is taken; the store turns it into DuplicateName.</summary>
    internal sealed class NameTakenException : Exception
    {
        public NameTakenException(Exception inner)
            : base("The name is taken.", inner)
        {
        }
    }
}
