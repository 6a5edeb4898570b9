using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// What verification records of grace periods, batched like last uses: a use of a key's previous secret is written to
    /// within <see cref="PendingGrace.ResolutionMs"/> and only to that secret; the end of a previous secret is written
    /// once; what could not be written is kept; what is remembered is bounded.
    /// </summary>
    public class PendingGraceTests
    {
        private const long Resolution = PendingGrace.ResolutionMs;
        private static readonly byte[] First = { 1, 2, 3 };
        private static readonly byte[] Second = { 1, 2, 4 };

        [Fact]
        public void A_key_without_a_previous_secret_records_no_use_of_one()
        {
            var grace = new PendingGrace();
            Assert.False(grace.RecordUse(Key(null), 7, 0));
            Assert.Equal(0, grace.Count);
        }

        [Fact]
        public void A_use_within_the_resolution_of_the_stored_one_is_not_written()
        {
            var grace = new PendingGrace();
            Assert.False(grace.RecordUse(Key(First, lastUsedAt: 100_000), 7, 100_000 + Resolution - 1));
            Assert.Null(grace.PendingUse(7));
            Assert.True(grace.RecordUse(Key(First, lastUsedAt: 100_000), 7, 100_000 + Resolution));
            Assert.Equal(100_000 + Resolution, grace.PendingUse(7));
        }

        [Fact]
        public void A_use_within_the_resolution_of_the_recorded_one_is_not_written_again()
        {
            var grace = new PendingGrace();
            Assert.True(grace.RecordUse(Key(First), 7, 100_000));
            Assert.False(grace.RecordUse(Key(First), 7, 100_000 + Resolution - 1));
            Assert.Equal(100_000, grace.PendingUse(7));
            // A later use stored (by another store) counts too.
            Assert.False(grace.RecordUse(Key(First, lastUsedAt: 200_000), 7, 200_001));
            Assert.True(grace.RecordUse(Key(First), 7, 100_000 + Resolution));
            Assert.Equal(100_000 + Resolution, grace.PendingUse(7));
        }

        [Fact]
        public void A_use_recorded_of_a_former_previous_secret_does_not_hold_back_the_first_use_of_the_new_one()
        {
            var grace = new PendingGrace();
            Assert.True(grace.RecordUse(Key(First), 7, 100_000));
            Assert.True(grace.RecordUse(Key(Second), 7, 100_001));
            Assert.True(grace.RecordUse(Key(new byte[] { 1, 2 }), 7, 100_002));
            PreviousKeyUse use = Assert.Single(grace.Take().Uses);
            Assert.Equal(new byte[] { 1, 2 }, use.Hash);
        }

        [Fact]
        public void An_end_is_noticed_once_and_a_new_end_of_the_key_again()
        {
            var grace = new PendingGrace();
            Assert.True(grace.NoticeEnd(7, 100));
            Assert.False(grace.NoticeEnd(7, 100));
            Assert.True(grace.NoticeEnd(7, 200));
            Assert.False(grace.NoticeEnd(7, 200));
            Assert.Equal(new Dictionary<int, long> { [7] = 200 }, grace.Take().Ends);
            Assert.False(grace.NoticeEnd(7, 200));
        }

        [Fact]
        public void Count_is_the_uses_and_the_ends_waiting()
        {
            var grace = new PendingGrace();
            grace.RecordUse(Key(First), 7, 0);
            grace.NoticeEnd(8, 100);
            grace.NoticeEnd(9, 100);
            Assert.Equal(3, grace.Count);
            grace.Take();
            Assert.Equal(0, grace.Count);
        }

        [Fact]
        public void A_use_forgotten_is_not_written()
        {
            var grace = new PendingGrace();
            grace.RecordUse(Key(First), 7, 0);
            grace.RecordUse(Key(First), 8, 0);
            grace.ForgetUse(7);
            Assert.Null(grace.PendingUse(7));
            Assert.Equal(new[] { 8 }, grace.Take().Uses.Select(u => u.Id));
        }

        [Fact]
        public void What_could_not_be_written_is_pending_again_and_what_came_meanwhile_wins()
        {
            var grace = new PendingGrace();
            grace.RecordUse(Key(First), 1, 0);
            grace.RecordUse(Key(First), 2, 0);
            grace.RecordUse(Key(First), 3, 0);
            grace.NoticeEnd(1, 100);
            grace.NoticeEnd(2, 100);
            (List<PreviousKeyUse> Uses, Dictionary<int, long> Ends) taken = grace.Take();
            Assert.Equal(0, grace.Count);
            // Meanwhile: a later use of key 2, a use of key 3's new previous secret at the same time, a new end of key 2.
            Assert.True(grace.RecordUse(Key(First), 2, Resolution));
            Assert.True(grace.RecordUse(Key(Second), 3, 0));
            Assert.True(grace.NoticeEnd(2, 200));
            grace.Restore(taken);
            (List<PreviousKeyUse> Uses, Dictionary<int, long> Ends) again = grace.Take();
            Assert.Equal(new[] { (1, 0L, First), (2, Resolution, First), (3, 0L, Second) },
                again.Uses.OrderBy(u => u.Id).Select(u => (u.Id, u.At, u.Hash)));
            Assert.Equal(new Dictionary<int, long> { [1] = 100, [2] = 200 }, again.Ends);
        }

        [Fact]
        public void Uses_and_ends_of_as_many_keys_as_the_bound_are_all_remembered()
        {
            var grace = new PendingGrace();
            VerifiedKey key = Key(First);
            for (int id = 1; id <= PendingGrace.MaxRemembered; id++)
            {
                Assert.True(grace.RecordUse(key, id, 0));
                Assert.True(grace.NoticeEnd(id, 100));
            }
            // Recorded again, a key remembered is not a new one.
            Assert.True(grace.RecordUse(key, 1, Resolution));
            Assert.True(grace.NoticeEnd(1, 200));
            Assert.False(grace.RecordUse(key, 2, 1));
            Assert.False(grace.RecordUse(key, PendingGrace.MaxRemembered, 1));
            Assert.False(grace.NoticeEnd(2, 100));
            Assert.False(grace.NoticeEnd(PendingGrace.MaxRemembered, 100));
        }

        [Fact]
        public void Past_the_bound_what_was_remembered_is_forgotten_and_is_at_worst_written_once_more()
        {
            var grace = new PendingGrace();
            VerifiedKey key = Key(First);
            for (int id = 1; id <= PendingGrace.MaxRemembered + 1; id++)
            {
                Assert.True(grace.RecordUse(key, id, 0));
                Assert.True(grace.NoticeEnd(id, 100));
            }
            Assert.True(grace.RecordUse(key, 1, 1));
            Assert.False(grace.RecordUse(key, PendingGrace.MaxRemembered + 1, 1));
            Assert.True(grace.NoticeEnd(1, 100));
            Assert.False(grace.NoticeEnd(PendingGrace.MaxRemembered + 1, 100));
        }

        private static VerifiedKey Key(byte[] previousHash, long? lastUsedAt = null) =>
            new VerifiedKey("svc", new byte[] { 9 }, false, null, null, "")
            {
                PreviousHash = previousHash,
                PreviousExpiresAt = previousHash == null ? null : long.MaxValue,
                PreviousLastUsedAt = lastUsedAt,
            };
    }
}
