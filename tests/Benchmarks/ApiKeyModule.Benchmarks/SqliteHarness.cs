using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using ApiKeyModule;
using Microsoft.Data.Sqlite;

/// <summary>
/// A SQLite store read and written directly, as the floors do: connections that bypass the engine, and the engine's own
/// SELECT of a key's columns.
/// </summary>
internal static class SqliteHarness
{
    public const string SelectColumns = "SELECT id, name, created_at, allowlist, expires_at, revoked, revoked_reason, last_used_at FROM api_keys";

    /// <summary>Loads the module's bundled e_sqlite3 the module's way (opening a throwaway engine store).</summary>
    public static void EnsureLoaded()
    {
        string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-bench-init-" + Guid.NewGuid().ToString("N"));
        try
        {
            ApiKeyStore.Open(Path.Combine(folder, "init.db")).Dispose();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    public static string Version()
    {
        using (var connection = new SqliteConnection("Data Source=:memory:"))
        {
            connection.Open();
            return (string)Scalar(connection, "SELECT sqlite_version()");
        }
    }

    public static SqliteConnection Raw(string path)
    {
        var connection = new SqliteConnection("Data Source=" + path + ";Pooling=False");
        connection.Open();
        return connection;
    }

    public static object Scalar(SqliteConnection connection, string sql, SqliteTransaction transaction = null)
    {
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            return command.ExecuteScalar();
        }
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction transaction = null)
    {
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = sql;
            command.Transaction = transaction;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The highest id of a populated store: its ids are 1 to this.</summary>
    public static int MaxId(string path)
    {
        using (SqliteConnection connection = Raw(path))
        {
            return Convert.ToInt32(Scalar(connection, "SELECT max(id) FROM api_keys"), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Every column of a row of <see cref="SelectColumns"/> read, summed so that the reads are not optimised away.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long Sink(SqliteDataReader reader) =>
        reader.GetInt32(0) + reader.GetString(1).Length + reader.GetInt64(2) + reader.GetString(3).Length +
        (reader.IsDBNull(4) ? 0 : reader.GetInt64(4)) + (reader.GetBoolean(5) ? 1 : 0) +
        (reader.IsDBNull(6) ? 0 : reader.GetString(6).Length) + (reader.IsDBNull(7) ? 0 : reader.GetInt64(7));
}
