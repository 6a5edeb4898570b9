namespace ApiKeyModule
{
    /// <summary>
    /// The store's schema, one script per version. PRAGMA user_version holds the version a store is at; opening
    /// runs the scripts it lacks, in order, in one transaction.
    /// </summary>
    internal static class StoreSchema
    {
        public static readonly string[] Migrations =
        {
            // Version 1.
            @"CREATE TABLE api_keys (
                id             INTEGER PRIMARY KEY AUTOINCREMENT,
                name           TEXT    NOT NULL,
                name_folded    TEXT    NOT NULL UNIQUE,
                created_at     INTEGER NOT NULL,
                allowlist      TEXT    NOT NULL,
                key_hash       BLOB    NOT NULL,
                hash_algorithm TEXT    NOT NULL
            );",
            // Version 2: expiry, revocation, last use, and the audit log.
            @"ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
              ALTER TABLE api_keys ADD COLUMN revoked INTEGER NOT NULL DEFAULT 0;
              ALTER TABLE api_keys ADD COLUMN revoked_reason TEXT;
              ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
              CREATE TABLE audit_log (
                id         INTEGER PRIMARY KEY AUTOINCREMENT,
                at         INTEGER NOT NULL,
                action     TEXT    NOT NULL,
                key_id     INTEGER,
                key_name   TEXT,
                old_value  TEXT,
                new_value  TEXT,
                details    TEXT,
                os_user    TEXT    NOT NULL,
                host       TEXT    NOT NULL,
                process_id INTEGER NOT NULL
              );
              CREATE INDEX audit_log_at ON audit_log (at);
              CREATE INDEX audit_log_key ON audit_log (key_id, at);",
            // Version 3: the store's own identity, so that a key object acts on the store it was read from wherever
            // that store is opened (moved, copied, reached through a link).
            @"CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
              INSERT INTO store_info (key, value)
                SELECT 'id', substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || substr(h, 17, 4) || '-' || substr(h, 21)
                FROM (SELECT lower(hex(randomblob(16))) AS h);",
            // Version 4: the previous secret of a key reset with a grace period (its hash, when it stops working, when it
            // was last used), and audit rows that stand for many like events (failed verifications counted in memory
            // and written in batches: how many, and the time of the last; at is the first).
            @"ALTER TABLE api_keys ADD COLUMN previous_key_hash BLOB;
              ALTER TABLE api_keys ADD COLUMN previous_key_expires_at INTEGER;
              ALTER TABLE api_keys ADD COLUMN previous_key_last_used_at INTEGER;
              ALTER TABLE audit_log ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
              ALTER TABLE audit_log ADD COLUMN last_at INTEGER;",
        };

        public static int CurrentVersion => Migrations.Length;
    }
}
