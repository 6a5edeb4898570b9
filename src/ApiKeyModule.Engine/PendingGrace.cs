using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// What verification records of grace periods, written with the store's next batch (see ApiKeyStore.Recording.cs):
    /// uses of previous secrets (at the same resolution as last uses) and ends of grace periods noticed by verifying a key.
    /// Thread-safe; the common cases (a use recorded less than 45 s ago, an end already noticed) take no lock.
    /// </summary>
    internal sealed class PendingGrace
    {
        internal const long ResolutionMs = 45_000;
        // Bounds what is remembered however many keys are verified; a key forgotten is at worst written once more.
        internal const int MaxRemembered = 65_536;
        private readonly ConcurrentDictionary<int, PreviousKeyUse> recordedUses = new ConcurrentDictionary<int, PreviousKeyUse>();
        private readonly ConcurrentDictionary<int, long> noticedEnds = new ConcurrentDictionary<int, long>();
        // How many keys each holds, counted under the gate: a ConcurrentDictionary's Count takes all its locks.
        private int recordedUsesCount;
        private int noticedEndsCount;
        private readonly object gate = new object();
        // Each entry holds the hash it was checked against, so that a use is never written to a newer previous secret.
        private Dictionary<int, PreviousKeyUse> pendingUses = new Dictionary<int, PreviousKeyUse>();
        // Key id -> the end of its previous secret, noticed after it passed.
        private Dictionary<int, long> pendingEnds = new Dictionary<int, long>();

        /// <summary>How many uses and ends wait to be written.</summary>
        public int Count
        {
            get
            {
                lock (gate)
                {
                    return pendingUses.Count + pendingEnds.Count;
                }
            }
        }

        /// <summary>True when this use of the key's previous secret is to be written (its first in 45 s, as far as this store knows).</summary>
        public bool RecordUse(VerifiedKey key, int id, long now)
        {
            if (key.PreviousHash == null)
            {
                // Only a key verified by its previous secret comes here, and it has one.
                return false;
            }
            long known = key.PreviousLastUsedAt ?? long.MinValue;
            if (recordedUses.TryGetValue(id, out PreviousKeyUse seen) && SameHash(seen.Hash, key.PreviousHash))
            {
                known = Math.Max(known, seen.At);
            }
            if (known != long.MinValue && now - known < ResolutionMs)
            {
                return false;
            }
            var use = new PreviousKeyUse { Id = id, At = now, Hash = key.PreviousHash };
            lock (gate)
            {
                Remember(recordedUses, ref recordedUsesCount, id, use);
                pendingUses[id] = use;
            }
            return true;
        }

        /// <summary>True when this end of the key's previous secret was not noticed before, and is now to be written.</summary>
        public bool NoticeEnd(int id, long end)
        {
            if (noticedEnds.TryGetValue(id, out long noticed) && noticed == end)
            {
                return false;
            }
            lock (gate)
            {
                // Stryker disable once Boolean,Block : reached only when another thread noticed the same end between the check above and the lock.
                if (noticedEnds.TryGetValue(id, out noticed) && noticed == end)
                {
                    return false;
                }
                Remember(noticedEnds, ref noticedEndsCount, id, end);
                pendingEnds[id] = end;
            }
            return true;
        }

        /// <summary>When the key's previous secret was last used through this store and not yet written, if it was.</summary>
        public long? PendingUse(int id)
        {
            lock (gate)
            {
                return pendingUses.TryGetValue(id, out PreviousKeyUse use) ? use.At : (long?)null;
            }
        }

        /// <summary>Drops the key's use not yet written: the secret it was of is gone.</summary>
        public void ForgetUse(int id)
        {
            lock (gate)
            {
                pendingUses.Remove(id);
            }
        }

        /// <summary>The uses and ends to write, now no longer pending.</summary>
        public (List<PreviousKeyUse> Uses, Dictionary<int, long> Ends) Take()
        {
            lock (gate)
            {
                var uses = new List<PreviousKeyUse>(pendingUses.Values);
                Dictionary<int, long> ends = pendingEnds;
                pendingUses = new Dictionary<int, PreviousKeyUse>();
                pendingEnds = new Dictionary<int, long>();
                return (uses, ends);
            }
        }

        /// <summary>What could not be written, pending again (a later use of the same key wins).</summary>
        public void Restore((List<PreviousKeyUse> Uses, Dictionary<int, long> Ends) taken)
        {
            lock (gate)
            {
                foreach (PreviousKeyUse use in taken.Uses)
                {
                    if (!pendingUses.TryGetValue(use.Id, out PreviousKeyUse later) || later.At < use.At)
                    {
                        pendingUses[use.Id] = use;
                    }
                }
                foreach (KeyValuePair<int, long> end in taken.Ends)
                {
                    if (!pendingEnds.ContainsKey(end.Key))
                    {
                        pendingEnds[end.Key] = end.Value;
                    }
                }
            }
        }

        /// <summary>Under the gate.</summary>
        private static void Remember<T>(ConcurrentDictionary<int, T> remembered, ref int count, int id, T value)
        {
            if (!remembered.ContainsKey(id))
            {
                if (count >= MaxRemembered)
                {
                    remembered.Clear();
                    count = 0;
                }
                count++;
            }
            remembered[id] = value;
        }

        private static bool SameHash(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);
    }
}
