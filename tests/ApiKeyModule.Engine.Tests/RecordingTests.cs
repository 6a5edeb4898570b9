using System;
using System.Collections.Generic;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// What verification records (last uses, uses of previous secrets, ends of grace periods, failed verifications) is
    /// written in one transaction when it is due: a store without a background writer on its next record, a verifier's
    /// on its interval. What could not be written is kept, tried again an interval later, and said once until a write
    /// works again. A store's backend here counts its writes and can be made to refuse them.
    /// </summary>
    public class RecordingTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        [Fact]
        public void What_was_recorded_is_due_when_its_oldest_record_is_the_age_given_old_or_uses_of_many_keys_wait()
        {
            var uses = new PendingUses();
            Assert.False(ApiKeyStore.IsDue(0, 1_000_000, 10, uses));
            Assert.False(ApiKeyStore.IsDue(1_000, 1_000 + 9, 10, uses));
            Assert.True(ApiKeyStore.IsDue(1_000, 1_000 + 10, 10, uses));
            for (int id = 1; id < ApiKeyStore.MaxPendingUses; id++)
            {
                uses.Record(id, null, 0);
            }
            Assert.False(ApiKeyStore.IsDue(1_000, 1_000, 10, uses));
            uses.Record(ApiKeyStore.MaxPendingUses, null, 0);
            Assert.True(ApiKeyStore.IsDue(1_000, 1_000, 10, uses));
        }

        [Fact]
        public void A_store_without_a_background_writer_writes_when_a_record_comes_after_the_oldest_is_due()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Assert.Equal(0L, store.PendingSince);
                Assert.Equal(VerificationCode.Malformed, store.Verify("garbage").Code);
                long since = store.PendingSince;
                Assert.NotEqual(0L, since);
                store.Recorded(since + ApiKeyStore.RecordedFlushMs - 1);
                Assert.Equal((0, 1), store.Pending);
                Assert.Equal(since, store.PendingSince);
                Assert.Equal(0L, FailedRows(temp));
                store.Recorded(since + ApiKeyStore.RecordedFlushMs);
                Assert.Equal((0, 0), store.Pending);
                Assert.Equal(0L, store.PendingSince);
                Assert.Equal(1L, FailedRows(temp));
            }
        }

        [Fact]
        public void A_verifiers_store_leaves_the_write_to_its_background_writer()
        {
            using (var temp = new TempStore())
            using (ApiKeyVerifier verifier = temp.OpenVerifier())
            {
                Assert.Equal(VerificationCode.Malformed, verifier.Verify("garbage").Code);
                verifier.Store.Recorded(verifier.Store.PendingSince + ApiKeyStore.RecordedFlushMs);
                Assert.Equal((0, 1), verifier.Store.Pending);
                Assert.Equal(0L, FailedRows(temp));
            }
        }

        [Fact]
        public void A_flush_with_nothing_to_write_opens_no_transaction()
        {
            using (var temp = new TempStore())
            using (Spied spied = Spied.Open(temp))
            {
                spied.Store.FlushRecorded();
                // Something was recorded and is gone before the write (a forgotten use of a previous secret).
                spied.Store.Recorded(UnixTime.ToMilliseconds(DateTime.UtcNow));
                spied.Store.FlushRecorded();
                Assert.Equal(0, spied.Spy.Writes);
                Assert.Equal(0L, spied.Store.PendingSince);
            }
        }

        [Fact]
        public void A_background_writer_lets_idle_reads_go_and_writes_only_what_is_due()
        {
            using (var temp = new TempStore())
            using (Spied spied = Spied.Open(temp))
            {
                Assert.Equal(VerificationCode.Malformed, spied.Store.Verify("garbage").Code);
                spied.Store.FlushRecordedIfDue(long.MaxValue);
                Assert.Equal(1, spied.Spy.EndedIdleReads);
                Assert.Equal(0, spied.Spy.Writes);
                Assert.Equal((0, 1), spied.Store.Pending);
                spied.Store.FlushRecordedIfDue(0);
                Assert.Equal(2, spied.Spy.EndedIdleReads);
                Assert.Equal(1, spied.Spy.Writes);
                Assert.Equal((0, 0), spied.Store.Pending);
                Assert.Equal(1L, FailedRows(temp));
            }
        }

        [Fact]
        public void What_could_not_be_written_is_kept_tried_again_an_interval_later_and_said_once_until_a_write_works()
        {
            using (var temp = new TempStore())
            using (Spied spied = Spied.Open(temp))
            {
                ApiKeyStore store = spied.Store;
                var reports = new List<ApiKeyException>();
                store.RecordingFailed = reports.Add;
                IssuedApiKey old = store.Create("svc", Info);
                store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) });
                // A use of the previous secret (with the key's last use) and a failure.
                Assert.True(store.Verify(old.Key).UsedPreviousKey);
                Assert.Equal(VerificationCode.Malformed, store.Verify("garbage").Code);

                spied.Spy.Refuse = true;
                long before = UnixTime.ToMilliseconds(DateTime.UtcNow);
                store.FlushRecorded();
                long after = UnixTime.ToMilliseconds(DateTime.UtcNow);
                Assert.Equal("StoreReadOnly", Assert.Single(reports).ErrorId);
                Assert.Equal((1, 1), store.Pending);
                Assert.InRange(store.PendingSince, before, after);
                store.FlushRecorded();
                Assert.Single(reports);

                spied.Spy.Refuse = false;
                store.FlushRecorded();
                Assert.Equal((0, 0), store.Pending);
                Assert.Equal(0L, store.PendingSince);
                Assert.Equal(1L, FailedRows(temp));
                Assert.IsType<long>(temp.Sql("SELECT last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)));
                Assert.IsType<long>(temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)));

                // A write worked: the next failure to write is said again.
                spied.Spy.Refuse = true;
                store.Verify("garbage");
                store.FlushRecorded();
                Assert.Equal(2, reports.Count);
                spied.Spy.Refuse = false;
            }
        }

        private static long FailedRows(TempStore temp) =>
            Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE action = @a", ("a", AuditAction.VerificationFailed)));

        /// <summary>A store over the temporary store's backend, seen through a <see cref="SpyBackend"/>.</summary>
        private sealed class Spied : IDisposable
        {
            private Spied(ApiKeyStore store, SpyBackend spy)
            {
                Store = store;
                Spy = spy;
            }

            public ApiKeyStore Store { get; }

            public SpyBackend Spy { get; }

            public static Spied Open(TempStore temp)
            {
                // The backend is the spied store's now: the store it came from is not disposed.
                IStoreBackend inner = temp.Open().Backend;
                IStoreBackend proxy = DispatchProxy.Create<IStoreBackend, SpyBackend>();
                var spy = (SpyBackend)(object)proxy;
                spy.Inner = inner;
                var store = (ApiKeyStore)Activator.CreateInstance(typeof(ApiKeyStore), BindingFlags.NonPublic | BindingFlags.Instance, null,
                    new object[] { proxy, null }, null);
                return new Spied(store, spy);
            }

            public void Dispose() => Store.Dispose();
        }

        /// <summary>Passes every call to the real backend; counts writes and idle-read releases, and refuses writes when asked.</summary>
        public class SpyBackend : DispatchProxy
        {
            internal IStoreBackend Inner { get; set; }

            public int Writes { get; private set; }

            public int EndedIdleReads { get; private set; }

            /// <summary>Writes fail as on a read-only store.</summary>
            public bool Refuse { get; set; }

            protected override object Invoke(MethodInfo targetMethod, object[] args)
            {
                if (targetMethod.Name == nameof(IStoreBackend.Write))
                {
                    Writes++;
                    if (Refuse)
                    {
                        throw new ApiKeyException(ErrorIds.StoreReadOnly, ApiKeyErrorCategory.PermissionDenied, "The store is read-only.");
                    }
                }
                else if (targetMethod.Name == nameof(IStoreBackend.EndIdleReads))
                {
                    EndedIdleReads++;
                }
                try
                {
                    return targetMethod.Invoke(Inner, args);
                }
                catch (TargetInvocationException e)
                {
                    ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            }
        }
    }
}
