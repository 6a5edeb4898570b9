using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The pool of SQLite connections under many threads of one process (runspaces): a connection is never lent to two
    /// owners, and none goes back to the pool with a read still open on it.
    /// </summary>
    public class SqlitePoolTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };

        [SqliteOnlyFact("the pool of SQLite connections")]
        public void Connections_taken_from_the_pool_at_the_same_moment_are_never_lent_twice()
        {
            // As StoreConnection opens them, without its work around the checkout: the threads reach the pool together.
            using (var temp = new TempStore(postgres: false))
            {
                temp.Open().Dispose();
                string connectionString = new SqliteConnectionStringBuilder { DataSource = temp.Path_, Mode = SqliteOpenMode.ReadWrite, Pooling = true }.ToString();
                // Made beforehand, so that the threads go straight to the pool.
                SqliteConnection[] connections = Enumerable.Range(0, 16).Select(_ => new SqliteConnection(connectionString)).ToArray();
                string shared = Waves(connections.Length, 3000,
                    i => SqlitePool.Open(connections[i]),
                    () => connections.Where(connection => connection.Handle != null).Select(connection => connection.Handle.DangerousGetHandle()),
                    i =>
                    {
                        SqlitePool.Close(connections[i]);
                        connections[i] = new SqliteConnection(connectionString);
                    });
                Assert.True(shared == null, shared);
            }
        }

        [SqliteOnlyFact("the pool of SQLite connections")]
        public void Stores_opened_at_the_same_moment_never_share_a_connection()
        {
            using (var temp = new TempStore(postgres: false))
            {
                temp.Open().Dispose();
                var stores = new ApiKeyStore[16];
                string shared = Waves(stores.Length, 200,
                    i => stores[i] = temp.Open(),
                    () => stores.Where(store => store != null).Select(store => ((SqliteBackend)store.Backend).NativeHandle),
                    i =>
                    {
                        stores[i]?.Dispose();
                        stores[i] = null;
                    });
                Assert.True(shared == null, shared);
            }
        }

        /// <summary>
        /// The pool lends one connection to two owners only when both take one at the same moment while it has none idle.
        /// In each wave the threads open at once and hold what they opened while the handles are compared; then each
        /// closes, and the pool is emptied. Returns the first wave where two held one handle or an open failed, or null.
        /// </summary>
        private static string Waves(int threads, int waves, Action<int> open, Func<IEnumerable<IntPtr>> handles, Action<int> close)
        {
            var wrong = new ConcurrentQueue<string>();
            int wave = 0;
            using (var opened = new Barrier(threads, _ =>
            {
                IntPtr[] held = handles().ToArray();
                if (held.Distinct().Count() != held.Length)
                {
                    wrong.Enqueue($"wave {wave}: two owners hold one SQLite connection");
                }
            }))
            using (var closed = new Barrier(threads, _ =>
            {
                SqlitePool.Clear();
                wave++;
            }))
            {
                SqlitePool.Clear();
                Exception[] errors = Threads.AtOnce(threads, i =>
                {
                    for (int n = 0; n < waves; n++)
                    {
                        // Every thread reaches both barriers whatever happens, or the others would wait for it forever.
                        try
                        {
                            open(i);
                        }
                        catch (Exception e)
                        {
                            wrong.Enqueue($"wave {n}: {e.GetType().Name}: {e.Message}");
                        }
                        opened.SignalAndWait();
                        try
                        {
                            close(i);
                        }
                        catch (Exception e)
                        {
                            wrong.Enqueue($"wave {n}: {e.GetType().Name}: {e.Message}");
                        }
                        closed.SignalAndWait();
                    }
                });
                return errors.Length > 0 ? errors[0].ToString() : wrong.IsEmpty ? null : string.Join(" || ", wrong.Take(5));
            }
        }

        [SqliteOnlyFact("SQLite's read snapshots")]
        public void A_listing_left_unfinished_does_not_follow_its_connection_back_to_the_pool()
        {
            // One busy timeout for every store here, hence one pool: the last store takes the connection the first left.
            TimeSpan timeout = TimeSpan.FromSeconds(1);
            using (var temp = new TempStore(postgres: false))
            {
                using (ApiKeyStore seed = temp.Open(timeout))
                {
                    seed.Create("a", SystemAll);
                    seed.Create("b", SystemAll);
                }
                using (ApiKeyStore other = temp.Open(timeout))
                {
                    IEnumerator<ApiKey> unfinished;
                    using (ApiKeyStore reader = temp.Open(timeout))
                    {
                        unfinished = reader.List().GetEnumerator();
                        Assert.True(unfinished.MoveNext());
                    }
                    // A commit after the listing's snapshot: a connection still reading it could not write.
                    other.Create("c", SystemAll);
                    using (ApiKeyStore next = temp.Open(timeout))
                    {
                        next.Create("d", SystemAll);
                        Assert.Equal(new[] { "a", "b", "c", "d" }, next.List().Select(key => key.Name).ToArray());
                    }
                    GC.KeepAlive(unfinished);
                }
            }
        }
    }
}
