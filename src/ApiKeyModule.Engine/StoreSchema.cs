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
        };

        public static int CurrentVersion => Migrations.Length;
    }
}
