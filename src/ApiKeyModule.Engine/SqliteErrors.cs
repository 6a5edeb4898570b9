using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>Turns SQLite failures into errors that say what to do.</summary>
    internal static class SqliteErrors
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
                    return StoreErrors.Busy(path,
                        "stayed locked by another process for longer than the busy timeout. Try again when the other process has finished.", e);
                case SqliteReadOnly:
                    return StoreErrors.ReadOnly(path, e);
                case SqliteCorrupt:
                case SqliteNotADatabase:
                    return StoreErrors.NotAStore(path, "it is not a SQLite database or it is damaged", e);
                case SqliteFull:
                    return StoreErrors.Full(path, $"The disk holding the store '{path}' is full. Free some space and try again.", e);
                case SqliteCantOpen:
                case SqliteIoError:
                    return UnixPermissions.IsFolderReadOnly(path) ? StoreErrors.ReadOnly(path, e) : StoreErrors.Unavailable(path, e.Message, e);
                default:
                    return StoreErrors.Error(path, e.Message, e);
            }
        }
    }
}
