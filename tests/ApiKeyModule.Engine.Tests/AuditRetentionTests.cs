using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>The audit log pruned by age: what ends before the bound goes, the rest stays, and the pruning is itself audited.</summary>
    public class AuditRetentionTests
    {
        [Fact]
        public void Entries_that_end_before_the_bound_are_removed_and_the_removal_is_audited()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", new AllowlistEntry[0]);
                long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
                const long Day = 86_400_000;
                // As if written in the past: a change 40 days ago, failures from 40 to 35 days ago, failures from 40 days ago until yesterday.
                temp.Sql("INSERT INTO audit_log (at, action, key_id, key_name, os_user, host, process_id) VALUES (@at, 'Rename', @id, 'svc', 'u', 'h', 1)",
                    ("at", now - 40 * Day), ("id", key.Id));
                temp.Sql("INSERT INTO audit_log (at, last_at, count, action, details, os_user, host, process_id) VALUES (@at, @last, 7, 'VerificationFailed', 'Malformed', 'u', 'h', 1)",
                    ("at", now - 40 * Day), ("last", now - 35 * Day));
                temp.Sql("INSERT INTO audit_log (at, last_at, count, action, details, os_user, host, process_id) VALUES (@at, @last, 9, 'VerificationFailed', 'NotFound', 'u', 'h', 1)",
                    ("at", now - 40 * Day), ("last", now - Day));
                DateTime bound = DateTime.UtcNow.AddDays(-30);

                Assert.Equal(2, store.CountAuditLog(bound));
                Assert.Equal(2, store.ClearAuditLog(bound));

                var log = store.ReadAuditLog().ToList();
                Assert.Equal(new[] { AuditAction.ClearAuditLog, AuditAction.Create, AuditAction.VerificationFailed }, log.Select(e => e.Action));
                // A batch that goes on past the bound stays whole.
                Assert.Equal((9L, "NotFound"), (log[2].Count, log[2].Details));
                ApiKeyAuditEntry cleared = log[0];
                Assert.Equal($"Removed 2 audit entries written before {UnixTime.Show(UnixTime.Normalize(bound))}.", cleared.Details);
                Assert.Equal((1L, (DateTime?)null, (int?)null), (cleared.Count, cleared.LastTime, cleared.KeyId));
                Assert.Equal(Environment.UserName, cleared.User);

                Assert.Equal(0, store.ClearAuditLog(bound));
                Assert.Equal(2, store.ReadAuditLog().Count(e => e.Action == AuditAction.ClearAuditLog));
            }
        }

        [Fact]
        public void A_bound_in_the_future_is_refused_and_changes_nothing()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("svc", new AllowlistEntry[0]);
                var e = Assert.Throws<ApiKeyException>(() => store.ClearAuditLog(DateTime.Now.AddMinutes(5)));
                Assert.Equal("AuditBoundInFuture", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
                Assert.Equal(Remedies.GiveAPastBound, e.Remedy);
                Assert.DoesNotContain("Get-Date", e.Message);
                Assert.Equal(new[] { AuditAction.Create }, store.ReadAuditLog().Select(x => x.Action));
            }
        }

        [Fact]
        public void Failed_verifications_counted_in_memory_are_written_before_the_bound_is_applied()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Verify("garbage");
                System.Threading.Thread.Sleep(5);
                Assert.Equal(1, store.ClearAuditLog(DateTime.UtcNow));
                Assert.Equal(new[] { AuditAction.ClearAuditLog }, store.ReadAuditLog().Select(x => x.Action));
            }
        }

        [Fact]
        public void Failed_verifications_counted_in_memory_are_written_before_they_are_counted()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Verify("garbage");
                Assert.Equal((0, 1), store.Pending);
                store.CountAuditLog(DateTime.UtcNow);
                Assert.Equal((0, 0), store.Pending);
                Assert.Equal(1L, Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE action = 'VerificationFailed'")));
            }
        }

        [Fact]
        public void The_present_is_a_bound_and_a_millisecond_later_is_not()
        {
            DateTime now = UnixTime.FromMilliseconds(1_800_000_000_000);
            Assert.Equal(now, ApiKeyStore.ValidateAuditBound(now, now));
            Assert.Equal("AuditBoundInFuture", Assert.Throws<ApiKeyException>(() => ApiKeyStore.ValidateAuditBound(now.AddMilliseconds(1), now)).ErrorId);
        }
    }
}
