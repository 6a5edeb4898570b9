using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A store the verifier may not write (here a read-only file; on PostgreSQL, a role allowed only to read: see
    /// PostgresRolesTests) verifies every key, genuine or not, without an error per call, and says once what it could not
    /// record. PostgreSQL's case is in PostgresRolesTests.
    /// </summary>
    public class ReadOnlyStoreTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        [SqliteOnlyFact("a read-only store file")]
        public void A_verifier_on_a_read_only_file_verifies_every_key_and_says_once_that_it_cannot_record()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", Info);
                using (ReadOnly(temp.Path_))
                {
                    var reports = new List<ApiKeyRecordingFailedEventArgs>();
                    using (ApiKeyVerifier verifier = temp.OpenVerifier(TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50)))
                    {
                        verifier.RecordingFailed += (sender, e) =>
                        {
                            lock (reports)
                            {
                                reports.Add(e);
                            }
                        };
                        // Three intervals of verifications, each kind: the background write fails each time, and is said once.
                        for (int interval = 0; interval < 3; interval++)
                        {
                            for (int i = 0; i < 50; i++)
                            {
                                Assert.Equal(VerificationCode.Valid, verifier.Verify(key.Key, "CALL", "system.info").Code);
                                Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('z', 64)).Code);
                                Assert.Equal(VerificationCode.Malformed, verifier.Verify("garbage").Code);
                                Assert.Equal(VerificationCode.Forbidden, verifier.Verify(key.Key, "GET", "/other").Code);
                            }
                            Thread.Sleep(600);
                        }
                        // The background write runs on a pool thread, which a loaded machine may start late.
                        Within.Bound(TimeSpan.FromSeconds(30), () =>
                        {
                            lock (reports)
                            {
                                Assert.NotEmpty(reports);
                            }
                        });
                    }
                    // Disposing tries the write once more, and fails again without a second report.
                    ApiKeyRecordingFailedEventArgs report = Assert.Single(reports);
                    Assert.Equal("StoreReadOnly", report.Error.ErrorId);
                    Assert.Equal(temp.Path_, report.Store);
                    Assert.Equal(3, report.PendingFailureGroups);
                    Assert.Equal(1, report.PendingUses);
                    Assert.Contains("cannot be written", report.ToString());
                }
                Assert.Equal(0L, Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE action = 'VerificationFailed'")));
                Assert.IsType<DBNull>(temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}"));
            }
        }

        [SqliteOnlyFact("a read-only store file")]
        public void A_store_on_a_read_only_file_verifies_and_reads_without_an_error()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", Info);
                using (ReadOnly(temp.Path_))
                using (ApiKeyStore store = temp.Open())
                {
                    var failures = new List<ApiKeyException>();
                    store.RecordingFailed = failures.Add;
                    Assert.True(store.Verify(key.Key).Valid);
                    Assert.Equal(VerificationCode.NotFound, store.Verify(key.Id + "-" + new string('z', 64)).Code);
                    Assert.Equal("svc", store.Get(key.Id).Name);
                    Assert.Equal(new[] { AuditAction.Create }, store.ReadAuditLog().Select(e => e.Action));
                    Assert.Equal("StoreReadOnly", Assert.Single(failures).ErrorId);
                    Assert.Equal("StoreReadOnly", Assert.Throws<ApiKeyException>(() => store.Revoke(key.Id, "r")).ErrorId);
                }
            }
        }

        /// <summary>
        /// Makes the file read-only for this process until disposed. Root writes read-only files anyway, so as root the
        /// immutable attribute is set, which stops root too.
        /// </summary>
        internal static IDisposable ReadOnly(string path)
        {
            // Pooled connections keep the file open for writing.
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            bool root = Environment.UserName == "root";
            if (root)
            {
                Run("chattr", "+i", path);
                return new Undo(() => Run("chattr", "-i", path));
            }
            UnixFileMode mode = File.GetUnixFileMode(path);
            File.SetUnixFileMode(path, UnixFileMode.UserRead);
            return new Undo(() => File.SetUnixFileMode(path, mode));
        }

        private static void Run(string command, params string[] arguments)
        {
            var start = new ProcessStartInfo(command) { RedirectStandardError = true, UseShellExecute = false };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using (Process process = Process.Start(start))
            {
                string error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"{command} {string.Join(" ", arguments)} failed: {error}");
            }
        }

        private sealed class Undo : IDisposable
        {
            private readonly Action undo;

            public Undo(Action undo)
            {
                this.undo = undo;
            }

            public void Dispose() => undo();
        }
    }
}
