using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>What a creation, a change or a revocation checks first, and what it keeps and records.</summary>
    public class StoreChangeRulesTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };

        [Fact]
        public void A_name_is_checked_before_a_key_is_created_and_a_bad_one_writes_nothing()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Assert.Equal("InvalidName", Assert.Throws<ApiKeyException>(() => store.Create(new string('n', 201), SystemAll)).ErrorId);
                Assert.Empty(store.List());
                Assert.Empty(store.ReadAuditLog());
            }
        }

        [Fact]
        public void The_create_row_says_when_the_key_expires_and_nothing_for_a_key_that_never_does()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                DateTime expiry = UnixTime.Normalize(DateTime.UtcNow.AddDays(1));
                IssuedApiKey expiring = store.Create("expiring", SystemAll, expiry);
                IssuedApiKey lasting = store.Create("lasting", SystemAll);
                Assert.Equal("Expires " + UnixTime.Show(expiry), store.ReadAuditLog(new[] { expiring.Id }).Single().Details);
                Assert.Null(store.ReadAuditLog(new[] { lasting.Id }).Single().Details);
            }
        }

        [Fact]
        public void An_expiry_a_millisecond_after_now_is_kept_as_utc_to_the_millisecond()
        {
            DateTime now = UnixTime.FromMilliseconds(1_800_000_000_000);
            DateTime later = now.AddTicks(TimeSpan.TicksPerMillisecond + 5).ToLocalTime();
            Assert.Equal(now.AddMilliseconds(1), ExpiryRules.Validate(later, now));
            Assert.Null(ExpiryRules.Validate(null, now));
        }

        [Theory]
        [InlineData(1_000L, 999L, false)]
        [InlineData(1_000L, 1_000L, true)]
        [InlineData(1_000L, 1_001L, true)]
        [InlineData(null, long.MaxValue, false)]
        public void A_key_has_expired_from_the_millisecond_of_its_expiry_on(long? expiresAt, long now, bool expired)
        {
            Assert.Equal(expired, ExpiryRules.HasExpired(expiresAt, now));
        }

        [Fact]
        public void A_change_other_than_a_reset_keeps_the_revocation_and_its_reason()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                store.Revoke(key.Id, "leaked");
                ApiKey renamed = store.Update(key.Id, new ApiKeyChanges { Name = "svc-old" });
                Assert.Equal((true, "leaked"), (renamed.Revoked, renamed.RevokedReason));
                Assert.Equal((true, "leaked"), (store.Get(key.Id).Revoked, store.Get(key.Id).RevokedReason));
            }
        }

        [Fact]
        public void No_changes_at_all_is_nothing_to_change()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                Assert.Equal("NoChangeRequested", Assert.Throws<ApiKeyException>(() => store.Update(key.Id, null)).ErrorId);
            }
        }

        [Fact]
        public void A_missing_key_object_is_an_argument_error_naming_the_parameter()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Assert.Equal("key", Assert.Throws<ArgumentNullException>(() => store.Update((ApiKey)null, new ApiKeyChanges { Name = "x" })).ParamName);
            }
        }
    }
}
