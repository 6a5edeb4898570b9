using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// Every ErrorId the engine raises (<see cref="ApiKeyException.ErrorId"/>), written out once, each with when it is
    /// raised. Scripts and services rely on them; the README's error table lists the same ids, which a test checks.
    /// </summary>
    public static class ErrorIds
    {
        /// <summary>
        /// A name that is empty, longer than 200 characters, padded with white space or holding control characters or format
        /// characters (bidirectional controls, zero-width characters).
        /// </summary>
        public const string InvalidName = "InvalidName";

        /// <summary>A revocation reason longer than 500 characters or holding format characters.</summary>
        public const string InvalidReason = "InvalidReason";

        /// <summary>A name already used (names are unique ignoring case).</summary>
        public const string DuplicateName = "DuplicateName";

        /// <summary>An allowlist entry with a missing or unknown field, or an unknown method.</summary>
        public const string InvalidAllowlistEntry = "InvalidAllowlistEntry";

        /// <summary>Allowlist YAML/JSON text that does not parse, or is not a list of entries.</summary>
        public const string InvalidAllowlistDocument = "InvalidAllowlistDocument";

        /// <summary>Allowlist YAML with tags that build objects.</summary>
        public const string UnsafeAllowlistDocument = "UnsafeAllowlistDocument";

        /// <summary>An allowlist document with alias bombs or too many entries.</summary>
        public const string AllowlistDocumentTooComplex = "AllowlistDocumentTooComplex";

        /// <summary>An allowlist document of more than 1 MiB.</summary>
        public const string AllowlistDocumentTooLarge = "AllowlistDocumentTooLarge";

        /// <summary>A key document that is not a mapping of known fields.</summary>
        public const string InvalidKeyDocument = "InvalidKeyDocument";

        /// <summary>A key document that uses object-building tags.</summary>
        public const string UnsafeKeyDocument = "UnsafeKeyDocument";

        /// <summary>A key document with alias bombs or nesting too deep.</summary>
        public const string KeyDocumentTooComplex = "KeyDocumentTooComplex";

        /// <summary>A key document of more than 1 MiB.</summary>
        public const string KeyDocumentTooLarge = "KeyDocumentTooLarge";

        /// <summary>A key document whose expires_at is a date that does not parse.</summary>
        public const string InvalidExpiry = "InvalidExpiry";

        /// <summary>An unknown id or name; a key object whose store no longer holds it.</summary>
        public const string ApiKeyNotFound = "ApiKeyNotFound";

        /// <summary>A credential with a store that is a file (a credential is for a PostgreSQL store).</summary>
        public const string CredentialNotUsed = "CredentialNotUsed";

        /// <summary>A key object given to a store other than the one it was read from.</summary>
        public const string KeyFromOtherStore = "KeyFromOtherStore";

        /// <summary>An update that asks for no change: no name, allowlist, expiry, removal of the expiry or reset.</summary>
        public const string NoChangeRequested = "NoChangeRequested";

        /// <summary>An expiry date that has passed.</summary>
        public const string ExpirationInPast = "ExpirationInPast";

        /// <summary>A grace period that is negative, zero, under a second, over 30 days, or (in a key document) text that is not a duration.</summary>
        public const string InvalidGracePeriod = "InvalidGracePeriod";

        /// <summary>A grace period without a reset.</summary>
        public const string GracePeriodWithoutReset = "GracePeriodWithoutReset";

        /// <summary>A grace period that would end after the key expires.</summary>
        public const string GracePeriodBeyondExpiry = "GracePeriodBeyondExpiry";

        /// <summary>A grace period for a key that is revoked or expired, whose key does not work.</summary>
        public const string GracePeriodForInactiveKey = "GracePeriodForInactiveKey";

        /// <summary>A verification given only one of the method and the resource.</summary>
        public const string IncompleteRequest = "IncompleteRequest";

        /// <summary>A verification asked about a method that is not a request method (GET, POST, PUT, DELETE, CALL, SUBSCRIBE).</summary>
        public const string InvalidMethod = "InvalidMethod";

        /// <summary>A bound for clearing the audit log that has not come yet; nothing is removed.</summary>
        public const string AuditBoundInFuture = "AuditBoundInFuture";

        /// <summary>A copy into a store that holds keys or audit entries; nothing is written.</summary>
        public const string DestinationNotEmpty = "DestinationNotEmpty";

        /// <summary>A copy into the source itself (a store with its identity); nothing is written.</summary>
        public const string DestinationIsSource = "DestinationIsSource";

        /// <summary>The bundled SQLite library for this platform could not be loaded; the message names the file.</summary>
        public const string SqliteNativeLibraryLoadFailed = "SqliteNativeLibraryLoadFailed";

        /// <summary>A store that cannot be opened: a path that cannot be used, a server that does not answer or refuses the login.</summary>
        public const string StoreUnavailable = "StoreUnavailable";

        /// <summary>A file or schema that is not an ApiKeyModule store; it is left untouched.</summary>
        public const string StoreNotRecognized = "StoreNotRecognized";

        /// <summary>A store written by a newer version of the module; it is left untouched.</summary>
        public const string StoreSchemaTooNew = "StoreSchemaTooNew";

        /// <summary>A store file or folder this user cannot write, or a PostgreSQL role without the grant.</summary>
        public const string StoreReadOnly = "StoreReadOnly";

        /// <summary>A store locked by another writer for longer than the busy timeout.</summary>
        public const string StoreBusy = "StoreBusy";

        /// <summary>The disk is full.</summary>
        public const string StoreFull = "StoreFull";

        /// <summary>The store's data is damaged (restore it from a backup).</summary>
        public const string StoreCorrupt = "StoreCorrupt";

        /// <summary>Any other failure the database reports, with its message.</summary>
        public const string StoreError = "StoreError";

        /// <summary>
        /// The store's folder, file, -wal or -shm (or a link to them) belongs to another user or can be written by others;
        /// the store is not opened.
        /// </summary>
        public const string StoreNotPrivate = "StoreNotPrivate";

        private static readonly HashSet<string> StoreFailures = new HashSet<string>
        {
            StoreUnavailable, StoreNotRecognized, StoreSchemaTooNew, StoreReadOnly, StoreBusy, StoreFull, StoreCorrupt, StoreError, StoreNotPrivate,
        };

        /// <summary>
        /// Whether the id is of a failure of the store itself (locked, read-only, unusable, untrusted): no later item of a
        /// batch can succeed either, so a caller working through several keys stops on it instead of going on.
        /// </summary>
        public static bool IsStoreFailure(string errorId) => StoreFailures.Contains(errorId);
    }
}
