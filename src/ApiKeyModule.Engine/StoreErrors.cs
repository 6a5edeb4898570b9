using System;

namespace ApiKeyModule
{
    /// <summary>
    /// Store errors shared by every kind of store: the ErrorId and category say what failed, the remedy what to do.
    /// The defaults speak of a store file; a PostgreSQL store gives its own remedies (<see cref="PostgresErrors"/>).
    /// </summary>
    internal static class StoreErrors
    {

        public static ApiKeyException Busy(string location, string explanation, Exception inner) =>
            new ApiKeyException(ErrorIds.StoreBusy, ApiKeyErrorCategory.ResourceBusy, $"The store '{location}' {explanation}", location, inner);

        public static ApiKeyException Full(string location, string explanation, Exception inner) =>
            new ApiKeyException(ErrorIds.StoreFull, ApiKeyErrorCategory.WriteError, explanation, location, inner);

        public static ApiKeyException Error(string location, string reason, Exception inner) =>
            new ApiKeyException(ErrorIds.StoreError, ApiKeyErrorCategory.WriteError, $"The store '{location}' reported an error: {reason}", location, inner);

        public static ApiKeyException ReadOnly(string path, Exception inner) =>
            ReadOnly(path, "cannot be written (read-only file or folder)", Remedies.WritableFile, inner);

        public static ApiKeyException ReadOnly(string location, string reason, string remedy, Exception inner) =>
            new ApiKeyException(ErrorIds.StoreReadOnly, ApiKeyErrorCategory.PermissionDenied,
                $"The store '{location}' {reason}.", location, inner)
            {
                Remedy = remedy,
            };

        public static ApiKeyException Unavailable(string path, string reason, Exception? inner = null) =>
            Unavailable(path, reason, Remedies.CheckStorePath, inner);

        public static ApiKeyException Unavailable(string location, string reason, string remedy, Exception? inner) =>
            new ApiKeyException(ErrorIds.StoreUnavailable, ApiKeyErrorCategory.OpenError,
                $"The store '{location}' cannot be opened: {reason.TrimEnd('.', ' ')}.", location, inner)
            {
                Remedy = remedy,
            };

        public static ApiKeyException NotAStore(string path, string reason, Exception? inner = null) =>
            NotAStore($"The file '{path}'", path, reason, Remedies.PointAtAStore, inner);

        /// <summary>
        /// StoreNotRecognized: <paramref name="subject"/> is what was looked at, as the sentence starts ("The file '…'",
        /// "The schema '…' of '…'").
        /// </summary>
        public static ApiKeyException NotAStore(string subject, string location, string reason, string remedy, Exception? inner) =>
            new ApiKeyException(ErrorIds.StoreNotRecognized, ApiKeyErrorCategory.InvalidData,
                $"{subject} is not an ApiKeyModule store: {reason}. It was left untouched.", location, inner)
            {
                Remedy = remedy,
            };

        public static ApiKeyException TooNew(string path, int version) => TooNew(path, version, StoreSchema.CurrentVersion);

        public static ApiKeyException TooNew(string location, int version, int understood) =>
            new ApiKeyException(ErrorIds.StoreSchemaTooNew, ApiKeyErrorCategory.InvalidData,
                $"The store '{location}' has schema version {version}, newer than this module understands ({understood}). It was left untouched. Update ApiKeyModule to use this store.", location);
    }
}
