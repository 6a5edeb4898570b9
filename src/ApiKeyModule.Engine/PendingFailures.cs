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
    /// code, without their key ids and requests. Thread-safe, and threads do not contend: each counts in a stripe of its
    /// own (chosen by its id), and the stripes' groups are merged when taken.
    /// </summary>
    internal sealed class PendingFailures
    {
        public const int MaxGroups = 1024;
        private const int Stripes = 16;
        private static readonly string[] CodeNames = Enum.GetNames(typeof(VerificationCode));
        private readonly Stripe[] stripes = Enumerable.Range(0, Stripes).Select(_ => new Stripe()).ToArray();
        // Groups held, overflow ones aside, over every stripe (a group counted on two threads is held twice until taken).
        private int held;
        // Orders groups that began in the same millisecond as they began.
        private long sequence;

        /// <summary>The code as Details starts, without a string made per failure.</summary>
        public static string Name(VerificationCode code) => CodeNames[(int)code];

        /// <summary>What an overflow group's Details say.</summary>
        public static string OverflowDetails(VerificationCode code) =>
            Name(code) + ": more kinds of failure than " + MaxGroups.ToString(CultureInfo.InvariantCulture) +
            " in one batch; counted here without their key ids and requests";

        /// <summary>How many groups wait to be written (a group counted on several threads once).</summary>
        public int Count
        {
            get
            {
                var keys = new HashSet<GroupKey>();
                foreach (Stripe stripe in stripes)
                {
                    lock (stripe)
                    {
                        keys.UnionWith(stripe.Groups.Keys);
                    }
                }
                return keys.Count;
            }
        }

        public void Add(int? keyId, string? keyName, VerificationCode code, string details, long now) =>
            Add(keyId, keyName, code, details, now, Environment.CurrentManagedThreadId);

        /// <summary>Like <see cref="Add(int?, string?, VerificationCode, string, long)"/>, counted in the stripe of the thread with this id.</summary>
        internal void Add(int? keyId, string? keyName, VerificationCode code, string details, long now, int threadId)
        {
            var key = new GroupKey(keyId, details);
            Stripe stripe = stripes[threadId % Stripes];
            lock (stripe)
            {
                if (stripe.Groups.TryGetValue(key, out FailureGroup group))
                {
                    group.Count++;
                    group.Last = Math.Max(group.Last, now);
                    return;
                }
                Hold(stripe, key, new FailureGroup(keyId, keyName, code, details, 1, now, now) { Sequence = Interlocked.Increment(ref sequence) });
            }
        }

        /// <summary>The groups to write, oldest first, now no longer pending.</summary>
        public List<FailureGroup> Take()
        {
            var taken = new List<FailureGroup>();
            foreach (Stripe stripe in stripes)
            {
                lock (stripe)
                {
                    // Stryker disable once Equality : an empty stripe's groups replaced by a new empty dictionary are the same; the check saves the allocation.
                    if (stripe.Groups.Count > 0)
                    {
                        taken.AddRange(stripe.Groups.Values);
                        Interlocked.Add(ref held, -stripe.Groups.Values.Count(group => !group.IsOverflow));
                        stripe.Groups = new Dictionary<GroupKey, FailureGroup>();
                    }
                }
            }
            List<FailureGroup> merged = Merged(taken);
            merged.Sort((a, b) => a.First != b.First ? a.First.CompareTo(b.First) : a.Sequence.CompareTo(b.Sequence));
            return merged;
        }

        /// <summary>Groups that could not be written, pending again (merged with any that came meanwhile).</summary>
        public void Restore(IEnumerable<FailureGroup> groups)
        {
            // Thread ids are positive.
            Stripe stripe = stripes[Environment.CurrentManagedThreadId % Stripes];
            lock (stripe)
            {
                foreach (FailureGroup group in groups)
                {
                    var key = new GroupKey(group.KeyId, group.Details);
                    if (stripe.Groups.TryGetValue(key, out FailureGroup existing))
                    {
                        existing.Absorb(group);
                    }
                    else if (group.IsOverflow)
                    {
                        stripe.Groups.Add(key, group);
                    }
                    else
                    {
                        Hold(stripe, key, group);
                    }
                }
            }
        }

        /// <summary>Inside the stripe's lock: a new group, or its failures in the overflow group of its code when the bound is reached.</summary>
        private void Hold(Stripe stripe, GroupKey key, FailureGroup group)
        {
            if (Interlocked.Increment(ref held) <= MaxGroups)
            {
                stripe.Groups.Add(key, group);
                return;
            }
            Interlocked.Decrement(ref held);
            string details = OverflowDetails(group.Code);
            var overflowKey = new GroupKey(null, details);
            if (stripe.Groups.TryGetValue(overflowKey, out FailureGroup overflow))
            {
                overflow.Absorb(group);
                return;
            }
            stripe.Groups.Add(overflowKey, new FailureGroup(null, null, group.Code, details, group.Count, group.First, group.Last)
            {
                IsOverflow = true,
                Sequence = group.Sequence,
            });
        }

        /// <summary>One group per key id and details: the same failures counted on several threads, added up.</summary>
        private static List<FailureGroup> Merged(List<FailureGroup> groups)
        {
            var byKey = new Dictionary<GroupKey, FailureGroup>();
            foreach (FailureGroup group in groups)
            {
                var key = new GroupKey(group.KeyId, group.Details);
                if (byKey.TryGetValue(key, out FailureGroup first))
                {
                    first.Absorb(group);
                }
                else
                {
                    byKey.Add(key, group);
                }
            }
            return byKey.Values.ToList();
        }

        /// <summary>Padded, so that the locks of two stripes never share a cache line.</summary>
        private sealed class Stripe
        {
            public Dictionary<GroupKey, FailureGroup> Groups = new Dictionary<GroupKey, FailureGroup>();
#pragma warning disable CS0169, IDE0051
            private long pad1, pad2, pad3, pad4, pad5, pad6, pad7;
#pragma warning restore CS0169, IDE0051
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

            public override bool Equals(object? obj) => obj is GroupKey other && Equals(other);

            // Stryker disable once Bitwise,Arithmetic,NullCoalescing,Unary : the arithmetic of a hash code only changes how keys spread over buckets; Equals decides.
            public override int GetHashCode() => unchecked((keyId ?? -1) * 397 ^ StringComparer.Ordinal.GetHashCode(details));
        }
    }

    /// <summary>Like failed verifications: one audit row, with how many and the first and last time (ms since 1970).</summary>
    internal sealed class FailureGroup
    {
        public FailureGroup(int? keyId, string? keyName, VerificationCode code, string details, long count, long first, long last)
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
        public string? KeyName { get; }
        public VerificationCode Code { get; }
        public string Details { get; }
        public long Count { get; set; }
        public long First { get; set; }
        public long Last { get; set; }
        public bool IsOverflow { get; set; }
        public long Sequence { get; set; }

        /// <summary>Adds another count of the same failures: how many, and the earlier first and later last time.</summary>
        public void Absorb(FailureGroup other)
        {
            Count += other.Count;
            First = Math.Min(First, other.First);
            Last = Math.Max(Last, other.Last);
            Sequence = Math.Min(Sequence, other.Sequence);
        }
    }
}
