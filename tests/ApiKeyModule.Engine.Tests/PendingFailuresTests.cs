using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// Failed verifications counted in memory: one group per key id and details (however many threads counted it), taken
    /// oldest first; at most <see cref="PendingFailures.MaxGroups"/> groups, failures beyond them counted in one overflow
    /// group per code; what could not be written is merged back.
    /// </summary>
    public class PendingFailuresTests
    {
        private const int Max = PendingFailures.MaxGroups;

        [Fact]
        public void Like_failures_are_one_group_with_their_count_and_first_and_last_time_whatever_their_order()
        {
            var failures = new PendingFailures();
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 100);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 300);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 200);
            Assert.Equal(1, failures.Count);
            FailureGroup group = Assert.Single(failures.Take());
            Assert.Equal((7, "svc", 3L, 100L, 300L, false), (group.KeyId.Value, group.KeyName, group.Count, group.First, group.Last, group.IsOverflow));
            Assert.Equal(0, failures.Count);
        }

        [Fact]
        public void Groups_are_merged_only_when_key_id_and_details_are_both_equal()
        {
            var failures = new PendingFailures();
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 100);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /b", 100);
            failures.Add(8, "other", VerificationCode.Forbidden, "Forbidden: GET /a", 100);
            // No key and a key id of -1 have the same hash code: only Equals tells them apart.
            failures.Add(null, null, VerificationCode.NotFound, "NotFound", 100);
            failures.Add(-1, null, VerificationCode.NotFound, "NotFound", 100);
            Assert.Equal(5, failures.Count);
            Assert.Equal(5, failures.Take().Count);
        }

        [Fact]
        public void The_same_failures_counted_on_two_threads_are_one_group()
        {
            var failures = new PendingFailures();
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 200, threadId: 1);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 100, threadId: 2);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 300, threadId: 3);
            Assert.Equal(1, failures.Count);
            FailureGroup group = Assert.Single(failures.Take());
            Assert.Equal((3L, 100L, 300L), (group.Count, group.First, group.Last));
        }

        [Fact]
        public void A_group_counted_on_two_threads_is_held_twice_against_the_bound_until_taken()
        {
            var failures = new PendingFailures();
            for (int i = 0; i < Max - 1; i++)
            {
                failures.Add(null, null, VerificationCode.NotFound, "a" + i, i, threadId: 1);
            }
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 100, threadId: 1);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 200, threadId: 2);
            List<FailureGroup> taken = failures.Take();
            Assert.Equal(1L, taken.Single(g => g.Details == "Forbidden: GET /a").Count);
            Assert.Equal(1L, taken.Single(g => g.Details == PendingFailures.OverflowDetails(VerificationCode.Forbidden)).Count);
        }

        [Fact]
        public void Groups_are_taken_by_their_first_time_then_in_the_order_they_began()
        {
            var failures = new PendingFailures();
            // Counted on threads whose stripes are taken in another order than the groups began.
            failures.Add(null, null, VerificationCode.Malformed, "late", 200, threadId: 1);
            failures.Add(null, null, VerificationCode.Malformed, "early", 100, threadId: 2);
            failures.Add(null, null, VerificationCode.Malformed, "same time, began first", 300, threadId: 5);
            failures.Add(null, null, VerificationCode.Malformed, "same time, began second", 300, threadId: 4);
            failures.Add(null, null, VerificationCode.Malformed, "same time, began third", 300, threadId: 3);
            Assert.Equal(new[] { "early", "late", "same time, began first", "same time, began second", "same time, began third" },
                failures.Take().Select(g => g.Details));
        }

        [Fact]
        public void Absorbing_adds_the_counts_and_keeps_the_earlier_first_the_later_last_and_the_earlier_beginning()
        {
            var group = new FailureGroup(7, "svc", VerificationCode.Forbidden, "d", 2, 200, 300) { Sequence = 5 };
            group.Absorb(new FailureGroup(7, "svc", VerificationCode.Forbidden, "d", 3, 100, 400) { Sequence = 3 });
            Assert.Equal((5L, 100L, 400L, 3L), (group.Count, group.First, group.Last, group.Sequence));
            group.Absorb(new FailureGroup(7, "svc", VerificationCode.Forbidden, "d", 1, 150, 350) { Sequence = 9 });
            Assert.Equal((6L, 100L, 400L, 3L), (group.Count, group.First, group.Last, group.Sequence));
        }

        [Fact]
        public void As_many_distinct_failures_as_the_bound_are_each_a_group()
        {
            var failures = new PendingFailures();
            AddDistinct(failures, "a", Max);
            List<FailureGroup> taken = failures.Take();
            Assert.Equal(Max, taken.Count);
            Assert.DoesNotContain(taken, g => g.IsOverflow);
        }

        [Fact]
        public void Past_the_bound_failures_are_counted_in_one_overflow_group_per_code_without_key_ids_and_requests()
        {
            var failures = new PendingFailures();
            AddDistinct(failures, "a", Max);
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /x", 500);
            failures.Add(8, "other", VerificationCode.Forbidden, "Forbidden: GET /y", 600);
            failures.Add(null, null, VerificationCode.Malformed, "Malformed: GET /z", 700);
            // A group held still counts its own.
            failures.Add(null, null, VerificationCode.NotFound, "a0", 800);
            Assert.Equal(Max + 2, failures.Count);
            List<FailureGroup> taken = failures.Take();
            Assert.Equal(Max + 2, taken.Count);
            Assert.Equal(2L, taken.Single(g => g.Details == "a0").Count);
            FailureGroup forbidden = taken.Single(g => g.Details == PendingFailures.OverflowDetails(VerificationCode.Forbidden));
            Assert.Equal(((int?)null, (string)null, 2L, 500L, 600L, true), (forbidden.KeyId, forbidden.KeyName, forbidden.Count, forbidden.First, forbidden.Last, forbidden.IsOverflow));
            FailureGroup malformed = taken.Single(g => g.Details == PendingFailures.OverflowDetails(VerificationCode.Malformed));
            Assert.Equal((1L, 700L, true), (malformed.Count, malformed.First, malformed.IsOverflow));
        }

        [Fact]
        public void Once_taken_the_bound_holds_as_many_new_groups_again()
        {
            var failures = new PendingFailures();
            AddDistinct(failures, "a", Max + 2);
            Assert.Equal(Max + 1, failures.Take().Count);
            AddDistinct(failures, "b", Max);
            Assert.DoesNotContain(failures.Take(), g => g.IsOverflow);
            AddDistinct(failures, "c", Max + 1);
            Assert.Single(failures.Take(), g => g.IsOverflow);
        }

        [Fact]
        public void Groups_that_could_not_be_written_are_merged_with_those_counted_meanwhile()
        {
            var failures = new PendingFailures();
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 100);
            failures.Add(8, "other", VerificationCode.Forbidden, "Forbidden: GET /b", 150);
            List<FailureGroup> taken = failures.Take();
            failures.Add(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /a", 200);
            failures.Restore(taken);
            List<FailureGroup> again = failures.Take();
            Assert.Equal(new[] { (7, 2L, 100L, 200L), (8, 1L, 150L, 150L) }, again.Select(g => (g.KeyId.Value, g.Count, g.First, g.Last)));
        }

        [Fact]
        public void Groups_restored_count_against_the_bound_and_past_it_go_to_the_overflow_group()
        {
            var failures = new PendingFailures();
            AddDistinct(failures, "a", Max + 1);
            List<FailureGroup> taken = failures.Take();
            Assert.Equal(Max + 1, taken.Count);
            failures.Restore(taken);
            Assert.Equal(Max + 1, failures.Count);
            failures.Add(null, null, VerificationCode.NotFound, "new", 400);
            List<FailureGroup> again = failures.Take();
            Assert.Equal(Max + 1, again.Count);
            FailureGroup overflow = again.Single(g => g.IsOverflow);
            Assert.Equal(PendingFailures.OverflowDetails(VerificationCode.NotFound), overflow.Details);
            Assert.Equal(2L, overflow.Count);

            // A restored group that finds the bound full goes to the overflow group with its count and times.
            AddDistinct(failures, "c", Max);
            failures.Restore(new[] { new FailureGroup(7, "svc", VerificationCode.Forbidden, "Forbidden: GET /d", 4, 100, 300) });
            FailureGroup moved = failures.Take().Single(g => g.IsOverflow);
            Assert.Equal((PendingFailures.OverflowDetails(VerificationCode.Forbidden), (int?)null, 4L, 100L, 300L),
                (moved.Details, moved.KeyId, moved.Count, moved.First, moved.Last));
        }

        [Fact]
        public void An_overflow_group_says_its_code_the_bound_and_what_it_does_not_keep()
        {
            string details = PendingFailures.OverflowDetails(VerificationCode.Forbidden);
            Assert.StartsWith("Forbidden: ", details, System.StringComparison.Ordinal);
            Assert.Contains("more kinds of failure than " + Max + " in one batch", details, System.StringComparison.Ordinal);
            Assert.Contains("without their key ids and requests", details, System.StringComparison.Ordinal);
        }

        /// <summary>Failures of as many distinct requests, no key, one millisecond apart.</summary>
        private static void AddDistinct(PendingFailures failures, string prefix, int count)
        {
            for (int i = 0; i < count; i++)
            {
                failures.Add(null, null, VerificationCode.NotFound, prefix + i, i);
            }
        }
    }
}
