using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// Failed verifications counted in memory until the store writes them (see ApiKeyStore.Recording.cs): one group per
    /// key id (or none), code and request, with how many and the first and last time. Memory is bounded whatever a
    /// client sends: at most <see cref="MaxGroups"/> groups; failures beyond them are counted in one overflow group per
    /// code, without their key ids and requests. Thread-safe: groups are spread over stripes, each with its own lock
    /// and its share of the bound.
    /// </summary>
    internal sealed class PendingFailures
    {
        public const int MaxGroups = Stripes * GroupsPerStripe;
        private const int Stripes = 16;
        private const int GroupsPerStripe = 64;
        private static readonly string[] CodeNames = Enum.GetNames(typeof(VerificationCode));
        private readonly Stripe[] stripes = Enumerable.Range(0, Stripes).Select(_ => new Stripe()).ToArray();
        // Orders groups that began in the same millisecond as they began.
        private long sequence;

        /// <summary>The code as Details starts, without a string made per failure.</summary>
        public static string Name(VerificationCode code) => CodeNames[(int)code];

        /// <summary>What an overflow group's Details say.</summary>
        public static string OverflowDetails(VerificationCode code) =>
            Name(code) + ": more kinds of failure than " + MaxGroups.ToString(CultureInfo.InvariantCulture) +
            " in one batch; counted here without their key ids and requests";

        /// <summary>How many groups wait to be written.</summary>
        public int Count
        {
            get
            {
                int count = 0;
                foreach (Stripe stripe in stripes)
                {
                    lock (stripe)
                    {
                        count += stripe.Groups.Count;
                    }
                }
                return count;
            }
        }

        public void Add(int? keyId, string keyName, VerificationCode code, string details, long now)
        {
            var key = new GroupKey(keyId, details);
            Stripe stripe = StripeOf(key);
            lock (stripe)
            {
                if (stripe.Groups.TryGetValue(key, out FailureGroup group))
                {
                    group.Count++;
                    group.Last = Math.Max(group.Last, now);
                    return;
                }
                if (stripe.Distinct < GroupsPerStripe)
                {
                    stripe.Groups.Add(key, new FailureGroup(keyId, keyName, code, details, 1, now, now) { Sequence = Interlocked.Increment(ref sequence) });
                    stripe.Distinct++;
                    return;
                }
            }
            AddToOverflow(new FailureGroup(keyId, keyName, code, details, 1, now, now));
        }

        /// <summary>The groups to write, oldest first, now no longer pending.</summary>
        public List<FailureGroup> Take()
        {
            var taken = new List<FailureGroup>();
            foreach (Stripe stripe in stripes)
            {
                lock (stripe)
                {
                    if (stripe.Groups.Count > 0)
                    {
                        taken.AddRange(stripe.Groups.Values);
                        stripe.Groups = new Dictionary<GroupKey, FailureGroup>();
                        stripe.Distinct = 0;
                    }
                }
            }
            taken.Sort((a, b) => a.First != b.First ? a.First.CompareTo(b.First) : a.Sequence.CompareTo(b.Sequence));
            return taken;
        }

        /// <summary>Groups that could not be written, pending again (merged with any that came meanwhile).</summary>
        public void Restore(IEnumerable<FailureGroup> groups)
        {
            foreach (FailureGroup group in groups)
            {
                if (!Merge(new GroupKey(group.KeyId, group.Details), group, group.IsOverflow))
                {
                    AddToOverflow(group);
                }
            }
        }

        private void AddToOverflow(FailureGroup group)
        {
            string details = OverflowDetails(group.Code);
            Merge(new GroupKey(null, details), new FailureGroup(null, null, group.Code, details, group.Count, group.First, group.Last) { IsOverflow = true }, true);
        }

        /// <summary>Adds the group's count and times to its group; false when it has none and there is no room for one.</summary>
        private bool Merge(GroupKey key, FailureGroup group, bool overflow)
        {
            Stripe stripe = StripeOf(key);
            lock (stripe)
            {
                if (stripe.Groups.TryGetValue(key, out FailureGroup existing))
                {
                    existing.Count += group.Count;
                    existing.First = Math.Min(existing.First, group.First);
                    existing.Last = Math.Max(existing.Last, group.Last);
                    return true;
                }
                if (!overflow && stripe.Distinct >= GroupsPerStripe)
                {
                    return false;
                }
                stripe.Groups.Add(key, new FailureGroup(group.KeyId, group.KeyName, group.Code, group.Details, group.Count, group.First, group.Last)
                {
                    IsOverflow = overflow,
                    Sequence = group.Sequence != 0 ? group.Sequence : Interlocked.Increment(ref sequence),
                });
                if (!overflow)
                {
                    stripe.Distinct++;
                }
                return true;
            }
        }

        private Stripe StripeOf(GroupKey key) => stripes[(key.GetHashCode() & int.MaxValue) % Stripes];

        private sealed class Stripe
        {
            public Dictionary<GroupKey, FailureGroup> Groups = new Dictionary<GroupKey, FailureGroup>();

            /// <summary>Groups other than overflow ones, which do not count against the bound.</summary>
            public int Distinct;
        }

        private readonly struct GroupKey : IEquatable<GroupKey>
        {
            private readonly int? keyId;
            private readonly string details;

            public GroupKey(int? keyId, string details)
            {
                this.keyId = keyId;
                this.details = details;
            }

            public bool Equals(GroupKey other) => keyId == other.keyId && string.Equals(details, other.details, StringComparison.Ordinal);

            public override bool Equals(object obj) => obj is GroupKey other && Equals(other);

            public override int GetHashCode() => unchecked((keyId ?? -1) * 397 ^ StringComparer.Ordinal.GetHashCode(details));
        }
    }

    /// <summary>Like failed verifications: one audit row, with how many and the first and last time (ms since 1970).</summary>
    internal sealed class FailureGroup
    {
        public FailureGroup(int? keyId, string keyName, VerificationCode code, string details, long count, long first, long last)
        {
            KeyId = keyId;
            KeyName = keyName;
            Code = code;
            Details = details;
            Count = count;
            First = first;
            Last = last;
        }

        public int? KeyId { get; }
        public string KeyName { get; }
        public VerificationCode Code { get; }
        public string Details { get; }
        public long Count { get; set; }
        public long First { get; set; }
        public long Last { get; set; }
        public bool IsOverflow { get; set; }
        public long Sequence { get; set; }
    }
}
