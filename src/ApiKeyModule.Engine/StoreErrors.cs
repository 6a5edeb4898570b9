using System;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>Turns SQLite failures into errors that say what to do.</summary>
    internal static class StoreErrors
    {
        private const int SqliteBusy = 5;
        private const int SqliteLocked = 6;
        private const int SqliteReadOnly = 8;
        private const int SqliteIoError = 10;
        private const int SqliteCorrupt = 11;
        private const int SqliteFull = 13;
        private const int SqliteCantOpen = 14;
        private const int SqliteNotADatabase = 26;

        public static ApiKeyException From(SqliteException e, string path)
        {
            switch (e.SqliteErrorCode)
            {
                case SqliteBusy:
                case SqliteLocked:
                    return new ApiKeyException("StoreBusy", ApiKeyErrorCategory.ResourceBusy,
                        $"The store '{path}' stayed locked by another process for longer than the busy timeout. Try again when the other process has finished.", path, e);
                case SqliteReadOnly:
                    return ReadOnly(path, e);
                case SqliteCorrupt:
                case SqliteNotADatabase:
                    return NotAStore(path, "it is not a SQLite database or it is damaged", e);
                case SqliteFull:
                    return new ApiKeyException("StoreFull", ApiKeyErrorCategory.WriteError,
                        $"The disk holding the store '{path}' is full. Free some space and try again.", path, e);
                case SqliteCantOpen:
                case SqliteIoError:
                    return UnixPermissions.IsFolderReadOnly(path) ? ReadOnly(path, e) : Unavailable(path, e.Message, e);
                default:
                    return new ApiKeyException("StoreError", ApiKeyErrorCategory.WriteError,
                        $"The store '{path}' reported an error: {e.Message}", path, e);
            }
        }

        public static ApiKeyException ReadOnly(string path, Exception inner) =>
            new ApiKeyException("StoreReadOnly", ApiKeyErrorCategory.PermissionDenied,
                $"The store '{path}' cannot be written (read-only file or folder). Give your user write access to the file and its folder, or use another -StorePath.", path, inner);

        public static ApiKeyException Unavailable(string path, string reason, Exception inner = null) =>
            new ApiKeyException("StoreUnavailable", ApiKeyErrorCategory.OpenError,
                $"The store '{path}' cannot be opened: {reason.TrimEnd('.', ' ')}. Check the path given by -StorePath or ${StoreLocation.EnvironmentVariable}.", path, inner);

        public static ApiKeyException NotAStore(string path, string reason, Exception inner = null) =>
            new ApiKeyException("StoreNotRecognized", ApiKeyErrorCategory.InvalidData,
                $"The file '{path}' is not an ApiKeyModule store: {reason}. It was left untouched. Point -StorePath at an ApiKeyModule store, or at a path where a new one can be created.", path, inner);

        public static ApiKeyException TooNew(string path, int version) =>
            new ApiKeyException("StoreSchemaTooNew", ApiKeyErrorCategory.InvalidData,
                $"The store '{path}' has schema version {version}, newer than this module understands ({StoreSchema.CurrentVersion}). It was left untouched. Update ApiKeyModule to use this store.", path);
    }
}
