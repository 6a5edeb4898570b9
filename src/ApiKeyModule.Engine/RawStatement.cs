using System;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace ApiKeyModule
{
    /// <summary>
    /// A statement prepared once on the connection and stepped through SQLite's own API: the hot paths (verification,
    /// listing) skip the ADO.NET layer's per-call work. Failures surface as <see cref="SqliteException"/>, as there.
    /// </summary>
    internal sealed class RawStatement : IDisposable
    {
        private readonly sqlite3 db;
        private readonly sqlite3_stmt statement;

        public RawStatement(SqliteConnection connection, string sql)
        {
            db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
            Check(raw.sqlite3_prepare_v2(db, sql, out statement));
        }

        public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(statement, index, value));

        public void Bind(int index, string value) => Check(raw.sqlite3_bind_text(statement, index, value));

        /// <summary>True while there is a row to read.</summary>
        public bool Step()
        {
            int rc = raw.sqlite3_step(statement);
            if (rc == raw.SQLITE_ROW)
            {
                return true;
            }
            if (rc == raw.SQLITE_DONE)
            {
                return false;
            }
            Reset();
            throw Error(rc);
        }

        /// <summary>Ready to run again, with the bindings cleared.</summary>
        public void Reset()
        {
            raw.sqlite3_reset(statement);
            raw.sqlite3_clear_bindings(statement);
        }

        public bool IsNull(int column) => raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL;

        public long Int64(int column) => raw.sqlite3_column_int64(statement, column);

        public string Text(int column) => raw.sqlite3_column_text(statement, column).utf8_to_string();

        public ReadOnlySpan<byte> Blob(int column) => raw.sqlite3_column_blob(statement, column);

        public void Dispose() => statement.Dispose();

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                throw Error(rc);
            }
        }

        private SqliteException Error(int rc) =>
            new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc, raw.sqlite3_extended_errcode(db));
    }
}
