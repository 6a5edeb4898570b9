using System;
using System.Collections.Concurrent;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// Last use, kept to within a minute without a durable write per verification: a use is taken to be written when the
    /// key's last recorded use is 45 s old or more; the store writes those taken together (see ApiKeyStore.Recording.cs).
    /// Thread-safe; the common case (a use recorded less than 45 s ago) takes no lock.
    /// </summary>
    internal sealed class PendingUses
    {
        internal const long ResolutionMs = 45_000;
        // Bounds what is remembered however many keys are verified; a key forgotten is at worst written once more.
        internal const int MaxRemembered = 65_536;
        private readonly ConcurrentDictionary<int, long> recorded = new ConcurrentDictionary<int, long>();
        private readonly object gate = new object();
        private Dictionary<int, long> pending = new Dictionary<int, long>();
        private int remembered;

        /// <summary>How many uses wait to be written.</summary>
        public int Count
        {
            get
            {
                lock (gate)
                {
                    return pending.Count;
                }
            }
        }

        /// <summary>True when this use is to be written (the key's first in 45 s, as far as this store knows).</summary>
        public bool Record(int id, long? storedLastUse, long now)
        {
            long known = storedLastUse ?? long.MinValue;
            if (recorded.TryGetValue(id, out long seen))
            {
                known = Math.Max(known, seen);
            }
            if (known != long.MinValue && now - known < ResolutionMs)
            {
                return false;
            }
            lock (gate)
            {
                if (recorded.TryAdd(id, now))
                {
                    if (++remembered > MaxRemembered)
                    {
                        recorded.Clear();
                        remembered = 0;
                    }
                }
                else
                {
                    recorded[id] = now;
                }
                pending[id] = now;
            }
            return true;
        }

        /// <summary>The uses to write, now no longer pending.</summary>
        public Dictionary<int, long> Take()
        {
            lock (gate)
            {
                Dictionary<int, long> taken = pending;
                pending = new Dictionary<int, long>();
                return taken;
            }
        }

        /// <summary>Uses that could not be written, pending again (with any later use of the same key).</summary>
        public void Restore(Dictionary<int, long> uses)
        {
            lock (gate)
            {
                foreach (KeyValuePair<int, long> use in uses)
                {
                    pending[use.Key] = pending.TryGetValue(use.Key, out long later) ? Math.Max(later, use.Value) : use.Value;
                }
            }
        }
    }
}
