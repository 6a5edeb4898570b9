using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// Many threads of one process on one store, as runspaces of ForEach-Object -Parallel or a runbook host are: each
    /// with its own <see cref="ApiKeyStore"/>, or all sharing one <see cref="ApiKeyVerifier"/>.
    /// </summary>
    public class ConcurrentUseTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };

        /// <summary>Runs <paramref name="work"/> on <paramref name="threads"/> threads released at the same moment; returns what each threw.</summary>
        private static Exception[] AtOnce(int threads, Action<int> work)
        {
            var errors = new Exception[threads];
            using (var start = new Barrier(threads))
            {
                Thread[] running = Enumerable.Range(0, threads).Select(i => new Thread(() =>
                {
                    start.SignalAndWait();
                    try
                    {
                        work(i);
                    }
                    catch (Exception e)
                    {
                        errors[i] = e;
                    }
                })).ToArray();
                foreach (Thread thread in running)
                {
                    thread.Start();
                }
                foreach (Thread thread in running)
                {
                    thread.Join();
                }
            }
            return errors.Where(e => e != null).ToArray();
        }

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
                Exception[] errors = AtOnce(threads, i =>
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

        [Fact]
        public void Threads_that_create_a_new_store_at_the_same_moment_all_succeed_and_every_key_verifies()
        {
            for (int round = 0; round < 4; round++)
            {
                using (var temp = new TempStore())
                {
                    var keys = new string[16];
                    Exception[] errors = AtOnce(keys.Length, i =>
                    {
                        using (ApiKeyStore store = temp.Open())
                        {
                            keys[i] = store.Create("k" + i, SystemAll).Key;
                        }
                    });
                    Assert.True(errors.Length == 0, $"round {round}: " + string.Join(" || ", errors.Select(e => e.Message)));
                    using (ApiKeyVerifier verifier = temp.OpenVerifier())
                    {
                        Assert.All(keys, key => Assert.Equal(VerificationCode.Valid, verifier.Verify(key, "CALL", "system.info").Code));
                    }
                }
            }
        }

        [Fact]
        public void One_verifier_shared_by_many_threads_while_others_change_keys_gives_only_right_answers()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                // Steady keys never change; each moving key is reset again and again by its own thread.
                string[] steady = Enumerable.Range(0, 8).Select(i => store.Create("steady" + i, SystemAll).Key).ToArray();
                IssuedApiKey[] moving = Enumerable.Range(0, 4).Select(i => store.Create("moving" + i, SystemAll)).ToArray();
                var latest = new ConcurrentDictionary<int, string>(moving.ToDictionary(key => key.Id, key => key.Key));
                var wrong = new ConcurrentQueue<string>();
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    int verifiers = 6;
                    int changers = moving.Length;
                    var changesDone = new CountdownEvent(changers);
                    Exception[] errors = AtOnce(verifiers + changers, i =>
                    {
                        if (i >= verifiers)
                        {
                            int mine = moving[i - verifiers].Id;
                            using (ApiKeyStore own = temp.Open())
                            {
                                for (int n = 0; n < 25; n++)
                                {
                                    latest[mine] = ((IssuedApiKey)own.Update(mine, new ApiKeyChanges { Reset = true })).Key;
                                }
                            }
                            changesDone.Signal();
                            return;
                        }
                        for (int n = 0; !changesDone.IsSet || n < 100; n++)
                        {
                            string key = steady[n % steady.Length];
                            ApiKeyVerification result = verifier.Verify(key, "CALL", "system.info");
                            if (!result.Valid)
                            {
                                wrong.Enqueue($"a steady key gave {result.Code}");
                            }
                            // A moving key verifies as the latest reset or not at all, never as another key.
                            ApiKeyVerification other = verifier.Verify(moving[n % moving.Length].Key);
                            if (other.Code != VerificationCode.NotFound && other.Code != VerificationCode.Valid)
                            {
                                wrong.Enqueue($"a reset key gave {other.Code}");
                            }
                        }
                    });
                    Assert.True(errors.Length == 0, string.Join(" || ", errors.Select(e => e.GetType().Name + ": " + e.Message)));
                    Assert.Empty(wrong);
                    // Once the changes are over, exactly the last key of each reset verifies.
                    foreach (IssuedApiKey key in moving)
                    {
                        Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Key).Code);
                        Assert.Equal(VerificationCode.Valid, verifier.Verify(latest[key.Id], "CALL", "system.info").Code);
                    }
                }
            }
        }

        [Fact]
        public void Creating_private_files_leaves_the_process_umask_to_the_other_threads()
        {
            // Linux shows the umask without changing it; elsewhere there is nothing to watch it with.
            string Umask() => File.ReadLines("/proc/self/status").FirstOrDefault(line => line.StartsWith("Umask:", StringComparison.Ordinal));
            if (!File.Exists("/proc/self/status") || Umask() == null)
            {
                return;
            }
            string before = Umask();
            string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-xunit-" + Guid.NewGuid().ToString("N"));
            var seen = new ConcurrentDictionary<string, int>();
            try
            {
                Exception[] errors = AtOnce(2, i =>
                {
                    if (i == 0)
                    {
                        for (int n = 0; n < 300; n++)
                        {
                            UnixPermissions.CreatePrivateFile(Path.Combine(folder, "f" + n, "file"), groupShared: n % 2 == 0);
                        }
                        seen.TryAdd("done", 0);
                        return;
                    }
                    while (!seen.ContainsKey("done"))
                    {
                        seen.AddOrUpdate(Umask(), 1, (_, count) => count + 1);
                    }
                });
                Assert.Empty(errors);
                seen.TryRemove("done", out _);
                Assert.Equal(new[] { before }, seen.Keys.ToArray());
            }
            finally
            {
                try { Directory.Delete(folder, true); } catch (IOException) { }
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
