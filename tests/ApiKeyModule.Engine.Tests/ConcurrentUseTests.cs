using System;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Threading;
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

        [Fact]
        public void Threads_that_create_a_new_store_at_the_same_moment_all_succeed_and_every_key_verifies()
        {
            for (int round = 0; round < 4; round++)
            {
                using (var temp = new TempStore())
                {
                    var keys = new string[16];
                    Exception[] errors = Threads.AtOnce(keys.Length, i =>
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
                    Exception[] errors = Threads.AtOnce(verifiers + changers, i =>
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
                Exception[] errors = Threads.AtOnce(2, i =>
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
    }
}
