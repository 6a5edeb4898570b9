using System.Collections.Generic;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A verifier writes a key's last use to within <see cref="PendingUses.ResolutionMs"/>, not once per verification: a
    /// use is written when the key's last recorded use (stored, or recorded through this store) is that old, and what
    /// it remembers of recorded uses is bounded.
    /// </summary>
    public class PendingUsesTests
    {
        private const long Resolution = PendingUses.ResolutionMs;

        [Fact]
        public void A_key_never_used_is_written_at_its_first_use()
        {
            var uses = new PendingUses();
            Assert.True(uses.Record(7, null, 1_000));
            Assert.Equal(new Dictionary<int, long> { [7] = 1_000 }, uses.Take());
        }

        [Fact]
        public void A_use_within_the_resolution_of_the_stored_one_is_not_written()
        {
            var uses = new PendingUses();
            Assert.False(uses.Record(7, 100_000, 100_000 + Resolution - 1));
            Assert.Empty(uses.Take());
            Assert.True(uses.Record(7, 100_000, 100_000 + Resolution));
        }

        [Fact]
        public void A_use_within_the_resolution_of_the_recorded_one_is_not_written_again()
        {
            var uses = new PendingUses();
            Assert.True(uses.Record(7, null, 100_000));
            // The row read before the use was recorded still says the key was never used.
            Assert.False(uses.Record(7, null, 100_000 + Resolution - 1));
            Assert.Equal(1, uses.Count);
            Assert.True(uses.Record(7, null, 100_000 + Resolution));
            Assert.Equal(new Dictionary<int, long> { [7] = 100_000 + Resolution }, uses.Take());
        }

        [Fact]
        public void The_resolution_counts_from_the_latest_use_written()
        {
            var uses = new PendingUses();
            Assert.True(uses.Record(7, null, 0));
            Assert.True(uses.Record(7, null, Resolution));
            Assert.False(uses.Record(7, null, Resolution + 15_000));
            // A later use stored (by another store) counts too.
            Assert.False(uses.Record(7, 3 * Resolution, 3 * Resolution + 1));
        }

        [Fact]
        public void Uses_that_could_not_be_written_are_pending_again_and_a_later_use_of_the_key_wins()
        {
            var uses = new PendingUses();
            uses.Record(1, null, 0);
            uses.Record(2, null, 0);
            Dictionary<int, long> taken = uses.Take();
            Assert.Equal(0, uses.Count);
            Assert.True(uses.Record(2, null, Resolution));
            uses.Restore(taken);
            Assert.Equal(new Dictionary<int, long> { [1] = 0, [2] = Resolution }, uses.Take());
        }

        [Fact]
        public void Uses_of_as_many_keys_as_the_bound_are_all_remembered()
        {
            var uses = new PendingUses();
            for (int id = 1; id <= PendingUses.MaxRemembered; id++)
            {
                Assert.True(uses.Record(id, null, 0));
            }
            Assert.False(uses.Record(1, null, 1));
            Assert.False(uses.Record(PendingUses.MaxRemembered, null, 1));
        }

        [Fact]
        public void Past_the_bound_what_was_remembered_is_forgotten_and_a_key_is_at_worst_written_once_more()
        {
            var uses = new PendingUses();
            for (int id = 1; id <= PendingUses.MaxRemembered + 1; id++)
            {
                Assert.True(uses.Record(id, null, 0));
            }
            Assert.True(uses.Record(1, null, 1));
            Assert.False(uses.Record(1, null, 2));
            Assert.Equal(PendingUses.MaxRemembered + 1, uses.Take().Count);
        }
    }
}
