using System;
using System.Text;

namespace ApiKeyModule
{
    /// <summary>
    /// The tables of a PostgreSQL store, in a schema of their own, one script per version. The table store_info holds the
    /// schema version ('version') and the store's identity ('id'); opening runs the scripts a store lacks, in order, in
    /// one transaction (see <see cref="PostgresConnection"/>).
    /// </summary>
    internal static class PostgresSchema
    {
        public const string DefaultName = "apikeymodule";

        /// <summary>Taken (for the transaction) by every migration of an ApiKeyModule schema in the database: "APIKEYS1".</summary>
        public const long MigrationLock = 0x415049_4B455953_31;

        public const int CurrentVersion = 2;

        /// <summary>Where changes to the keys of the store are announced: one channel per store, named by its identity.</summary>
        public static string Channel(Guid storeId) => "apikeymodule_" + storeId.ToString("N");

        /// <summary>The script that brings a schema at version <paramref name="from"/> to the next.</summary>
        public static string Migration(int from, string schema, Guid storeId)
        {
            string s = Quote(schema);
            switch (from)
            {
                case 0:
                    // Names are folded in C# and compared byte by byte (COLLATE "C"): the server's locale cannot change
                    // which names count as the same. Times are milliseconds since 1970 (UTC), as in SQLite.
                    return $@"
CREATE TABLE {s}.store_info (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE {s}.api_keys (
    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text    NOT NULL,
    name_folded    text    COLLATE ""C"" NOT NULL UNIQUE,
    created_at     bigint  NOT NULL,
    allowlist      text    NOT NULL,
    key_hash       bytea   NOT NULL,
    hash_algorithm text    NOT NULL,
    expires_at     bigint,
    revoked        boolean NOT NULL DEFAULT false,
    revoked_reason text,
    last_used_at   bigint
);
CREATE TABLE {s}.audit_log (
    id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         bigint  NOT NULL,
    action     text    NOT NULL,
    key_id     integer,
    key_name   text,
    old_value  text,
    new_value  text,
    details    text,
    os_user    text    NOT NULL,
    host       text    NOT NULL,
    process_id integer NOT NULL
);
CREATE INDEX audit_log_at ON {s}.audit_log (at);
CREATE INDEX audit_log_key ON {s}.audit_log (key_id, at);
CREATE TABLE {s}.key_changes (only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row), count bigint NOT NULL);
INSERT INTO {s}.key_changes (count) VALUES (0);
{ChangeAnnouncement(s, Channel(storeId), VerifiedColumnsV1)}
INSERT INTO {s}.store_info (key, value) VALUES ('id', '{storeId:D}');";
                case 1:
                    // As SQLite's version 4: the previous secret of a key reset with a grace period, and audit rows that
                    // stand for many like events. Verification reads the previous secret: its change is announced too.
                    return $@"
ALTER TABLE {s}.api_keys ADD COLUMN previous_key_hash bytea;
ALTER TABLE {s}.api_keys ADD COLUMN previous_key_expires_at bigint;
ALTER TABLE {s}.api_keys ADD COLUMN previous_key_last_used_at bigint;
ALTER TABLE {s}.audit_log ADD COLUMN count bigint NOT NULL DEFAULT 1;
ALTER TABLE {s}.audit_log ADD COLUMN last_at bigint;
DROP TRIGGER api_keys_changed ON {s}.api_keys;
{ChangedTrigger(s, VerifiedColumnsV2)}";
                default:
                    throw new ArgumentOutOfRangeException(nameof(from));
            }
        }

        /// <summary>
        /// Every change to a key that verification reads (not its last use), by this module or any other client, counts
        /// itself in key_changes and is announced on the store's channel, both in its own transaction: verifiers hear of
        /// it at commit, and one that missed the announcement sees the count move. A trigger, so that no writer can
        /// forget it. Verification reads every column listed here: a new one belongs in the list.
        /// </summary>
        private static string ChangeAnnouncement(string s, string channel, string verifiedColumns) => $@"
CREATE FUNCTION {s}.announce_key_change() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE {s}.key_changes SET count = count + 1;
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('{channel}', '*');
    ELSE
        PERFORM pg_notify('{channel}', OLD.id::text);
    END IF;
    RETURN NULL;
END
$body$;
{ChangedTrigger(s, verifiedColumns)}
CREATE TRIGGER api_keys_deleted AFTER DELETE ON {s}.api_keys FOR EACH ROW EXECUTE FUNCTION {s}.announce_key_change();
CREATE TRIGGER api_keys_truncated AFTER TRUNCATE ON {s}.api_keys FOR EACH STATEMENT EXECUTE FUNCTION {s}.announce_key_change();";

        private const string VerifiedColumnsV1 = "name, name_folded, created_at, allowlist, key_hash, hash_algorithm, expires_at, revoked, revoked_reason";
        private const string VerifiedColumnsV2 = VerifiedColumnsV1 + ", previous_key_hash, previous_key_expires_at";

        /// <summary>Announces an update that changes a column verification reads (not last use).</summary>
        private static string ChangedTrigger(string s, string verifiedColumns)
        {
            string Row(string prefix) => "ROW(" + string.Join(", ", Array.ConvertAll(verifiedColumns.Split(','), c => prefix + c.Trim())) + ")";
            return $@"CREATE TRIGGER api_keys_changed AFTER UPDATE ON {s}.api_keys FOR EACH ROW
    WHEN ({Row("OLD.")} IS DISTINCT FROM {Row("NEW.")})
    EXECUTE FUNCTION {s}.announce_key_change();";
        }

        /// <summary>A schema name as an identifier in SQL.</summary>
        public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

        /// <summary>Null when <paramref name="schema"/> can name a store's schema; otherwise why not.</summary>
        public static string? Problem(string schema)
        {
            if (string.IsNullOrEmpty(schema))
            {
                return "the schema name is empty";
            }
            if (Encoding.UTF8.GetByteCount(schema) > 63)
            {
                return "the schema name is longer than PostgreSQL's 63 bytes";
            }
            if (schema.StartsWith("pg_", StringComparison.OrdinalIgnoreCase))
            {
                return "names starting with pg_ are reserved by PostgreSQL";
            }
            foreach (char c in schema)
            {
                if (char.IsControl(c))
                {
                    return "the schema name contains a control character";
                }
            }
            return null;
        }
    }
}
