using System;

namespace ApiKeyModule
{
    /// <summary>
    /// Store errors shared by every kind of store: the ErrorId and category say what failed, the message what to do.
    /// The defaults speak of a store file; a PostgreSQL store gives its own advice (<see cref="PostgresErrors"/>).
    /// </summary>
    internal static class StoreErrors
    {
        private const string FileReadOnlyAdvice = "Give your user write access to the file and its folder, or use another -StorePath.";
        private const string FileNotAStoreAdvice = "Point -StorePath at an ApiKeyModule store, or at a path where a new one can be created.";

        public static ApiKeyException Busy(string location, string explanation, Exception inner) =>
            new ApiKeyException("StoreBusy", ApiKeyErrorCategory.ResourceBusy, $"The store '{location}' {explanation}", location, inner);

        public static ApiKeyException Full(string location, string explanation, Exception inner) =>
            new ApiKeyException("StoreFull", ApiKeyErrorCategory.WriteError, explanation, location, inner);

        public static ApiKeyException Error(string location, string reason, Exception inner) =>
            new ApiKeyException("StoreError", ApiKeyErrorCategory.WriteError, $"The store '{location}' reported an error: {reason}", location, inner);

        public static ApiKeyException ReadOnly(string path, Exception inner) =>
            ReadOnly(path, "cannot be written (read-only file or folder)", FileReadOnlyAdvice, inner);

        public static ApiKeyException ReadOnly(string location, string reason, string advice, Exception inner) =>
            new ApiKeyException("StoreReadOnly", ApiKeyErrorCategory.PermissionDenied,
                $"The store '{location}' {reason}. {advice}", location, inner);

        public static ApiKeyException Unavailable(string path, string reason, Exception inner = null) =>
            Unavailable(path, reason, $"Check the path given by -StorePath or ${StoreLocation.EnvironmentVariable}.", inner);

        public static ApiKeyException Unavailable(string location, string reason, string advice, Exception inner) =>
            new ApiKeyException("StoreUnavailable", ApiKeyErrorCategory.OpenError,
                $"The store '{location}' cannot be opened: {reason.TrimEnd('.', ' ')}. {advice}", location, inner);

        public static ApiKeyException NotAStore(string path, string reason, Exception inner = null) =>
            NotAStore($"The file '{path}'", path, reason, FileNotAStoreAdvice, inner);

        /// <param name="subject">What was looked at, as the sentence starts: "The file '…'", "The schema '…' of '…'".</param>
        public static ApiKeyException NotAStore(string subject, string location, string reason, string advice, Exception inner) =>
            new ApiKeyException("StoreNotRecognized", ApiKeyErrorCategory.InvalidData,
                $"{subject} is not an ApiKeyModule store: {reason}. It was left untouched. {advice}", location, inner);

        public static ApiKeyException TooNew(string path, int version) => TooNew(path, version, StoreSchema.CurrentVersion);

        public static ApiKeyException TooNew(string location, int version, int understood) =>
            new ApiKeyException("StoreSchemaTooNew", ApiKeyErrorCategory.InvalidData,
                $"The store '{location}' has schema version {version}, newer than this module understands ({understood}). It was left untouched. Update ApiKeyModule to use this store.", location);
    }
}
