using System;
using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>
    /// A verifier's read connection keeps one read transaction open across lookups while the store's wal-index shows no
    /// commit since it began: starting a read transaction takes a lock SQLite shares among a process's connections to
    /// a file (and often a system call under it), on which the verifier's threads would take turns for every cache miss.
    /// The store's version is read before the transaction begins, so a commit that lands meanwhile shows as a change at
    /// the next lookup, which then starts a new transaction: every lookup sees every commit made before it began. An
    /// idle transaction is ended by the verifier's background thread, so that the WAL is not kept from being reset.
    /// </summary>
    internal sealed class SqliteReadSnapshot : IDisposable
    {
        private static readonly long MaxAgeTicks = Stopwatch.Frequency;
        private readonly RawStatement begin;
        private readonly RawStatement commit;
        private readonly SqliteWalIndex walIndex;
        private readonly SQLitePCL.sqlite3 db;
        private long version;
        private long started;

        public SqliteReadSnapshot(SqliteConnection connection, SqliteWalIndex walIndex)
        {
            begin = new RawStatement(connection, "BEGIN");
            commit = new RawStatement(connection, "COMMIT");
            this.walIndex = walIndex;
            db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        }

        /// <summary>Before a lookup: the open transaction when nothing was committed since it began (and it is under a second old), else a new one.</summary>
        public void Keep()
        {
            bool known = walIndex.TryVersion(out long now);
            if (started != 0)
            {
                if (known && now == version && Stopwatch.GetTimestamp() - started < MaxAgeTicks)
                {
                    return;
                }
                End();
            }
            if (!known)
            {
                // A commit is being written: this lookup reads in a transaction of its own.
                return;
            }
            // Deferred: SQLite takes the snapshot at the lookup's first read, after the version was read.
            Run(begin);
            version = now;
            started = Stopwatch.GetTimestamp();
        }

        /// <summary>By the verifier's background thread, on a reader no verification holds: ends a transaction left open.</summary>
        public void EndIfIdle()
        {
            if (started != 0 && Stopwatch.GetTimestamp() - started >= MaxAgeTicks / 2)
            {
                End();
            }
        }

        public void End()
        {
            if (started != 0)
            {
                started = 0;
                // A failed lookup may have ended the transaction already.
                if (SQLitePCL.raw.sqlite3_get_autocommit(db) == 0)
                {
                    Run(commit);
                }
            }
        }

        public void Dispose()
        {
            begin.Dispose();
            commit.Dispose();
        }

        private static void Run(RawStatement statement)
        {
            try
            {
                statement.Step();
            }
            finally
            {
                statement.Reset();
            }
        }
    }
}
