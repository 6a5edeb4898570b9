using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// Failed verifications are counted in memory and written in batches, as last uses are: one audit entry per key (or
    /// none), code and request, with how many and the first and last time; memory stays bounded whatever a client sends.
    /// </summary>
    public class FailedVerificationTests
    {
        private static readonly AllowlistEntry[] PoolOnly = { AllowlistEntry.Create("GET", "/pool") };

        [Fact]
        public void Like_failures_are_one_entry_with_their_count_and_first_and_last_time()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", PoolOnly);
                string wrong = key.Id + "-" + new string('x', 64);
                DateTime before = UnixTime.Now();
                for (int i = 0; i < 3; i++)
                {
                    Assert.Equal(VerificationCode.NotFound, store.Verify(wrong).Code);
                    Thread.Sleep(5);
                }
                Assert.Equal(VerificationCode.Forbidden, store.Verify(key.Key, "GET", "/other").Code);
                Assert.Equal(VerificationCode.Forbidden, store.Verify(key.Key, "get", "/other").Code);
                Assert.Equal(VerificationCode.Forbidden, store.Verify(key.Key, "GET", "/third").Code);
                Assert.Equal(VerificationCode.Malformed, store.Verify("garbage").Code);
                Assert.Equal(VerificationCode.NotFound, store.Verify("99999-" + new string('x', 64)).Code);
                DateTime after = UnixTime.Now();
                // Counted in memory: nothing is written per failure.
                Assert.Equal(0L, Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE action = @a", ("a", AuditAction.VerificationFailed))));

                // Reading the log writes them first.
                List<ApiKeyAuditEntry> failed = store.ReadAuditLog().Where(e => e.Action == AuditAction.VerificationFailed).ToList();
                Assert.Equal(new[] { "NotFound", "Malformed", "Forbidden: GET /third", "Forbidden: GET /other", "NotFound" }, failed.Select(e => e.Details));
                Assert.Equal(new long[] { 1, 1, 1, 2, 3 }, failed.Select(e => e.Count));
                // A wrong secret for a key names it; an id no key has is not kept.
                Assert.Equal(new int?[] { null, null, key.Id, key.Id, key.Id }, failed.Select(e => e.KeyId));
                ApiKeyAuditEntry wrongSecret = failed[4];
                Assert.InRange(wrongSecret.Time, before, after);
                Assert.True(wrongSecret.LastTime >= wrongSecret.Time.AddMilliseconds(10), $"{wrongSecret.Time:o} .. {wrongSecret.LastTime:o}");
                Assert.All(failed, e => Assert.True(e.LastTime >= e.Time));
                Assert.All(failed, e => Assert.Equal(DateTimeKind.Utc, e.LastTime.Value.Kind));

                ApiKeyAuditEntry created = store.ReadAuditLog().Single(e => e.Action == AuditAction.Create);
                Assert.Equal((1L, (DateTime?)null), (created.Count, created.LastTime));
                Assert.Equal(8L, Convert.ToInt64(temp.Sql("SELECT sum(count) FROM audit_log WHERE action = @a", ("a", AuditAction.VerificationFailed))));
            }
        }

        [Fact]
        public void A_change_writes_what_was_counted_first_so_the_log_keeps_the_order_of_events()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", PoolOnly);
                store.Verify("garbage");
                store.Revoke(key.Id, "r");
                Assert.Equal(new[] { AuditAction.Revoke, AuditAction.VerificationFailed, AuditAction.Create }, store.ReadAuditLog().Select(e => e.Action));
                Assert.Equal(new[] { AuditAction.Create, AuditAction.VerificationFailed, AuditAction.Revoke }, store.ReadAuditLog().OrderBy(e => e.Id).Select(e => e.Action));
            }
        }

        [Fact]
        public void A_verifier_writes_no_row_per_failure_and_writes_the_batch_within_its_interval()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", PoolOnly);
                using (ApiKeyVerifier verifier = temp.OpenVerifier(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(100)))
                {
                    for (int i = 0; i < 100; i++)
                    {
                        Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('y', 64)).Code);
                    }
                    Assert.True(verifier.Verify(key.Key).Valid);
                    Assert.Equal(0L, FailedRows(temp));
                    Within.Bound(TimeSpan.FromSeconds(10), () => Assert.Equal(1L, FailedRows(temp)));
                    Assert.Equal(100L, Convert.ToInt64(temp.Sql("SELECT count FROM audit_log WHERE action = @a", ("a", AuditAction.VerificationFailed))));
                    Assert.IsType<long>(temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}"));
                }
            }
        }

        [Fact]
        public void A_verifier_writes_what_it_counted_when_it_is_disposed()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", PoolOnly);
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    Assert.Equal(VerificationCode.Forbidden, verifier.Verify(key.Key, "GET", "/secret").Code);
                    Assert.Equal(VerificationCode.Malformed, verifier.Verify("x").Code);
                    Assert.True(verifier.Verify(key.Key).Valid);
                }
                Assert.Equal(2L, FailedRows(temp));
                Assert.IsType<long>(temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}"));
                Assert.Throws<ObjectDisposedException>(() =>
                {
                    ApiKeyVerifier closed = temp.OpenVerifier();
                    closed.Dispose();
                    closed.Verify(key.Key);
                });
            }
        }

        [Fact]
        public void Distinct_failures_beyond_the_bound_are_still_counted_and_memory_stays_bounded()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", PoolOnly);
                const int Distinct = 5000;
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    for (int i = 0; i < Distinct; i++)
                    {
                        // A resource per call, as an attacker would send: a group each, up to the bound.
                        Assert.Equal(VerificationCode.Malformed, verifier.Verify("x", "GET", "/probe/" + i).Code);
                        Assert.Equal(VerificationCode.Forbidden, verifier.Verify(key.Key, "GET", "/probe/" + i).Code);
                    }
                    Assert.InRange(verifier.Store.Pending.FailureGroups, PendingFailures.MaxGroups / 2, PendingFailures.MaxGroups + 2);
                }
                using (ApiKeyStore store = temp.Open())
                {
                    List<ApiKeyAuditEntry> failed = store.ReadAuditLog().Where(e => e.Action == AuditAction.VerificationFailed).ToList();
                    Assert.InRange(failed.Count, PendingFailures.MaxGroups / 2, PendingFailures.MaxGroups + 2);
                    Assert.Equal(2L * Distinct, failed.Sum(e => e.Count));
                    foreach (VerificationCode code in new[] { VerificationCode.Malformed, VerificationCode.Forbidden })
                    {
                        ApiKeyAuditEntry overflow = failed.Single(e => e.Details == PendingFailures.OverflowDetails(code));
                        Assert.Null(overflow.KeyId);
                        Assert.Equal(Distinct, failed.Where(e => e.Details.StartsWith(code.ToString(), StringComparison.Ordinal)).Sum(e => e.Count));
                        Assert.True(overflow.Count > Distinct / 2, $"{code}: {overflow.Count} in overflow");
                    }
                }
            }
        }

        private static long FailedRows(TempStore temp) =>
            Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE action = @a", ("a", AuditAction.VerificationFailed)));
    }
}
