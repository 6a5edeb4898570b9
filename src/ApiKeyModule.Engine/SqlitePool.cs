using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>
    /// Takes connections out of Microsoft.Data.Sqlite's pool and gives them back one at a time. When two threads take
    /// or return connections of one pool at the same moment, the pool can lend one connection to two owners: a
    /// connection being handed out looks leaked for an instant (active, with no owner yet), and a concurrent checkout
    /// reclaims it (dotnet/efcore#39008). Two runspaces then run statements on one SQLite handle, each inside the
    /// other's transaction and reading the other's error codes ("SQLite Error 1: 'not an error'"). Checkouts and
    /// returns are quick (the file is opened, nothing is read), so one lock costs nothing measurable; the engine's copy
    /// of the library lives in the module's own load context, so every use of its pool passes here.
    /// </summary>
    internal static class SqlitePool
    {
        private static readonly object Gate = new object();

        public static void Open(SqliteConnection connection)
        {
            lock (Gate)
            {
                connection.Open();
            }
        }

        /// <summary>Closes the connection (back to the pool). Statements prepared on it must be disposed first.</summary>
        public static void Close(SqliteConnection connection)
        {
            lock (Gate)
            {
                connection.Dispose();
            }
        }

        /// <summary>Closes every idle pooled connection; those in use are closed when they are given back.</summary>
        public static void Clear()
        {
            lock (Gate)
            {
                SqliteConnection.ClearAllPools();
            }
        }
    }
}
