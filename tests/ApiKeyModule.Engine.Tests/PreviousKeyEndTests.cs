using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The end of a previous key (kept by a reset with a grace period) is exclusive: it works until the millisecond before,
    /// and from its end on it is over, for verification, for what a key shows, and for what the audit log records.
    /// </summary>
    public class PreviousKeyEndTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };
        private const long End = 1_800_000_000_000;

        private static VerifiedKey WithPrevious(byte[] previousHash, long end) =>
            new VerifiedKey("svc", new byte[32], revoked: false, expiresAt: null, lastUsedAt: null, allowlistText: "")
            {
                PreviousHash = previousHash,
                PreviousExpiresAt = end,
            };

        [Fact]
        public void A_previous_key_works_until_the_millisecond_before_its_end()
        {
            byte[] hash = Enumerable.Repeat((byte)7, 32).ToArray();
            VerifiedKey key = WithPrevious(hash, End);
            Assert.True(ApiKeyStore.MatchesPreviousKey(key, hash, End - 1));
            Assert.False(ApiKeyStore.MatchesPreviousKey(key, hash, End));
            Assert.False(ApiKeyStore.MatchesPreviousKey(key, new byte[32], End - 1));
        }

        [Fact]
        public void A_verification_shows_the_previous_keys_end_only_while_it_works()
        {
            VerifiedKey key = WithPrevious(new byte[32], End);
            ApiKeyVerification before = ApiKeyStore.WithGrace(new ApiKeyVerification(VerificationCode.Valid, 1, "svc"), key, usedPreviousKey: true, End - 1);
            Assert.Equal(UnixTime.FromMilliseconds(End), before.PreviousKeyExpiresAt);
            Assert.True(before.UsedPreviousKey);
            ApiKeyVerification at = ApiKeyStore.WithGrace(new ApiKeyVerification(VerificationCode.Valid, 1, "svc"), key, usedPreviousKey: false, End);
            Assert.Null(at.PreviousKeyExpiresAt);
        }

        [Fact]
        public void A_key_read_shows_its_previous_key_only_while_it_works_and_keeps_its_end_for_the_next_change()
        {
            var row = new StoredKey { PreviousKeyExpiresAt = End, PreviousKeyLastUsedAt = End - 5000 };
            var before = new ApiKey();
            ApiKeyStore.ShowPreviousKey(before, row, End - 1);
            Assert.Equal((UnixTime.FromMilliseconds(End), UnixTime.FromMilliseconds(End - 5000)), (before.PreviousKeyExpiresAt.Value, before.PreviousKeyLastUsedAt.Value));
            var at = new ApiKey();
            ApiKeyStore.ShowPreviousKey(at, row, End);
            Assert.Equal((null, null, End), (at.PreviousKeyExpiresAt, at.PreviousKeyLastUsedAt, at.StoredPreviousKeyEnd));
        }

        [Fact]
        public void A_verification_at_the_end_notices_it_and_the_next_batch_records_it()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = RotatedKey(store);
                long end = UnixTime.ToMilliseconds(DateTime.UtcNow) - 1000;
                temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", end), ("id", id));
                VerifiedKey key = WithPrevious(new byte[32], end);

                store.NoticeGraceEnd(id, key, end - 1);
                Assert.Equal(0, store.GraceRecords.Count);
                store.NoticeGraceEnd(id, key, end);
                Assert.Equal(1, store.GraceRecords.Count);
                store.FlushRecorded();
                Assert.Equal(1L, CountEnds(temp, id));
            }
        }

        [Fact]
        public void The_end_is_recorded_from_its_millisecond_on_and_only_for_the_previous_key_the_row_still_holds()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = RotatedKey(store);
                temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", End), ("id", id));

                InTransaction(store, () => store.RecordGraceRanOut(id, End, End - 1));
                Assert.Equal(0L, CountEnds(temp, id));
                // The row holds another previous key (a later reset): the end noticed is not its end.
                InTransaction(store, () => store.RecordGraceRanOut(id, End - 1000, End));
                Assert.Equal(0L, CountEnds(temp, id));
                InTransaction(store, () => store.RecordGraceRanOut(id, End, End));
                Assert.Equal(1L, CountEnds(temp, id));
                ApiKeyAuditEntry ended = store.ReadAuditLog(new[] { id }).First();
                Assert.StartsWith($"The grace period ran out: the previous key stopped working at {UnixTime.Show(UnixTime.FromMilliseconds(End))}. ", ended.Details);
            }
        }

        [Fact]
        public void A_change_at_the_end_records_that_the_grace_period_ran_out_not_that_the_change_ended_it()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = RotatedKey(store);
                temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", End), ("id", id));
                ApiKey current = store.Get(id);

                bool ended = false;
                InTransaction(store, () => ended = store.EndPreviousKey(current, "a reset", End));
                Assert.True(ended);
                Assert.StartsWith("The grace period ran out: ", store.ReadAuditLog(new[] { id }).First().Details);
            }
        }

        [Theory]
        [InlineData(null, 100_000L, 100_000L)]
        [InlineData(50_000L, 100_000L, 50_000L)]
        [InlineData(100_000L, 50_000L, 50_000L)]
        public void An_early_end_reports_the_latest_use_of_the_previous_key_written_or_not_and_forgets_the_one_not_written(
            long? writtenAgo, long pendingAgo, long reportedAgo)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = RotatedKey(store);
                long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
                ApiKey current = store.Get(id);
                current.PreviousKeyLastUsedAt = writtenAgo == null ? (DateTime?)null : UnixTime.FromMilliseconds(now - writtenAgo.Value);
                // Recorded by this store's verifications and not yet written, as a verifier's thread may record it while a change runs.
                Assert.True(store.GraceRecords.RecordUse(WithPrevious(new byte[32], current.StoredPreviousKeyEnd.Value), id, now - pendingAgo));

                InTransaction(store, () => store.EndPreviousKey(current, "the revocation", now));
                Assert.EndsWith($"It was last used at {UnixTime.Show(UnixTime.FromMilliseconds(now - reportedAgo))}.", store.ReadAuditLog(new[] { id }).First().Details);
                Assert.Null(store.GraceRecords.PendingUse(id));
            }
        }

        [Fact]
        public void A_grace_period_may_end_exactly_when_the_key_expires()
        {
            DateTime expiry = UnixTime.FromMilliseconds(End + 3_600_000);
            var key = new ApiKey { Id = 7, Name = "svc", ExpiresAt = expiry };
            ApiKeyStore.CheckGrace(key, key, TimeSpan.FromHours(1), End + 3_600_000, End);
            Assert.Equal("GracePeriodBeyondExpiry",
                Assert.Throws<ApiKeyException>(() => ApiKeyStore.CheckGrace(key, key, TimeSpan.FromHours(1), End + 3_600_001, End)).ErrorId);
        }

        [Theory]
        [InlineData(false, 2000L, 1000L, true)]
        [InlineData(false, 1000L, 1000L, false)]
        [InlineData(false, 1000L, 2000L, false)]
        [InlineData(true, 2000L, 1000L, false)]
        [InlineData(false, 2000L, null, false)]
        [InlineData(false, null, 1000L, false)]
        public void An_expiry_change_says_so_only_when_it_shortens_the_kept_previous_key(bool reset, long? endBefore, long? endAfter, bool said)
        {
            var before = new ApiKey { StoredPreviousKeyEnd = endBefore == null ? null : End + endBefore };
            var after = new ApiKey { StoredPreviousKeyEnd = endAfter == null ? null : End + endAfter };
            string details = ApiKeyStore.ExpiryDetails(before, after, reset);
            Assert.Equal(said ? $"The previous key now stops working then too, not at {UnixTime.Show(UnixTime.FromMilliseconds(End + 2000))}." : null, details);
        }

        [Fact]
        public void A_reset_of_a_revoked_key_says_it_un_revokes_it()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                store.Revoke(key.Id, "leaked");
                store.Update(key.Id, new ApiKeyChanges { Reset = true });
                ApiKeyAuditEntry reset = store.ReadAuditLog(new[] { key.Id }).First();
                Assert.Equal((AuditAction.Reset, "The key was revoked; reset un-revokes it."), (reset.Action, reset.Details));
            }
        }

        [Fact]
        public void A_revocation_returns_the_key_without_its_previous_key()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = RotatedKey(store);
                ApiKey revoked = store.Revoke(id, null);
                Assert.Equal((null, null), (revoked.PreviousKeyExpiresAt, revoked.PreviousKeyLastUsedAt));
            }
        }

        /// <summary>A key reset with an hour's grace period: its row holds a previous key.</summary>
        private static int RotatedKey(ApiKeyStore store)
        {
            IssuedApiKey key = store.Create("svc", SystemAll);
            store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) });
            return key.Id;
        }

        private static void InTransaction(ApiKeyStore store, Action work) =>
            store.Backend.Write(() =>
            {
                work();
                return 0;
            });

        private static long CountEnds(TempStore temp, int id) =>
            Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE key_id = @id AND action = 'GracePeriodEnded'", ("id", id)));
    }
}
