using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// Every ErrorId the engine raises (<see cref="ApiKeyException.ErrorId"/>), written out once. Scripts and services
    /// rely on them; the README's error table lists the same ids, which a test checks.
    /// </summary>
    public static class ErrorIds
    {
        public const string InvalidName = "InvalidName";
        public const string InvalidReason = "InvalidReason";
        public const string DuplicateName = "DuplicateName";
        public const string InvalidAllowlistEntry = "InvalidAllowlistEntry";
        public const string InvalidAllowlistDocument = "InvalidAllowlistDocument";
        public const string UnsafeAllowlistDocument = "UnsafeAllowlistDocument";
        public const string AllowlistDocumentTooComplex = "AllowlistDocumentTooComplex";
        public const string AllowlistDocumentTooLarge = "AllowlistDocumentTooLarge";
        public const string InvalidKeyDocument = "InvalidKeyDocument";
        public const string UnsafeKeyDocument = "UnsafeKeyDocument";
        public const string KeyDocumentTooComplex = "KeyDocumentTooComplex";
        public const string KeyDocumentTooLarge = "KeyDocumentTooLarge";
        public const string InvalidExpiry = "InvalidExpiry";
        public const string ApiKeyNotFound = "ApiKeyNotFound";
        public const string CredentialNotUsed = "CredentialNotUsed";
        public const string KeyFromOtherStore = "KeyFromOtherStore";
        public const string NoChangeRequested = "NoChangeRequested";
        public const string ExpirationInPast = "ExpirationInPast";
        public const string InvalidGracePeriod = "InvalidGracePeriod";
        public const string GracePeriodWithoutReset = "GracePeriodWithoutReset";
        public const string GracePeriodBeyondExpiry = "GracePeriodBeyondExpiry";
        public const string GracePeriodForInactiveKey = "GracePeriodForInactiveKey";
        public const string IncompleteRequest = "IncompleteRequest";
        public const string InvalidMethod = "InvalidMethod";
        public const string AuditBoundInFuture = "AuditBoundInFuture";
        public const string DestinationNotEmpty = "DestinationNotEmpty";
        public const string DestinationIsSource = "DestinationIsSource";
        public const string SqliteNativeLibraryLoadFailed = "SqliteNativeLibraryLoadFailed";
        public const string StoreUnavailable = "StoreUnavailable";
        public const string StoreNotRecognized = "StoreNotRecognized";
        public const string StoreSchemaTooNew = "StoreSchemaTooNew";
        public const string StoreReadOnly = "StoreReadOnly";
        public const string StoreBusy = "StoreBusy";
        public const string StoreFull = "StoreFull";
        public const string StoreCorrupt = "StoreCorrupt";
        public const string StoreError = "StoreError";
        public const string StoreNotPrivate = "StoreNotPrivate";

        private static readonly HashSet<string> StoreFailures = new HashSet<string>
        {
            StoreUnavailable, StoreNotRecognized, StoreSchemaTooNew, StoreReadOnly, StoreBusy, StoreFull, StoreCorrupt, StoreError, StoreNotPrivate,
        };

        /// <summary>
        /// Whether the id is of a failure of the store itself (locked, read-only, unusable, untrusted): no later item of a
        /// command can succeed either, so a cmdlet stops on it instead of going on to the next item.
        /// </summary>
        public static bool IsStoreFailure(string errorId) => StoreFailures.Contains(errorId);
    }
}
