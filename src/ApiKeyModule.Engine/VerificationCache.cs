using System.Collections.Concurrent;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// The keys a store has verified, shared by every thread that verifies through it. A cached key is used only while
    /// the store says nothing has changed since it was read: each hit asks its reader's <see cref="IKeyReader.ChangeVersion"/>
    /// (one cheap read), and a version not seen before through that reader forgets every key. Keys carry the generation
    /// in which they were read, and forgetting starts a new one, so a key read before a change and cached after it (by a
    /// slower thread) is never used. Bounds the cache at a few MB however many keys are verified.
    /// </summary>
    internal sealed class VerificationCache
    {
        internal const int MaxKeys = 65_536;
        private readonly ConcurrentDictionary<int, Entry> keys = new ConcurrentDictionary<int, Entry>();
        private long generation;
        private int count;

        /// <summary>The key with this id, from the cache when the store is unchanged, else read through the reader (and cached); null when there is none.</summary>
        public VerifiedKey? Find(IKeyReader reader, int id)
        {
            if (keys.TryGetValue(id, out Entry cached))
            {
                ChangeTracker tracker = reader.Tracker;
                long version = reader.ChangeVersion();
                if (version != tracker.Seen)
                {
                    // Forgotten before the version is published: a thread that finds it seen knows the keys read before are gone.
                    Forget();
                    tracker.See(version);
                }
                if (cached.Generation == Volatile.Read(ref generation))
                {
                    return cached.Key;
                }
            }
            // A miss reads the row as it is now; it is cached under the generation of before the read, so that a change
            // noticed meanwhile (by any thread) makes it unusable.
            long readIn = Volatile.Read(ref generation);
            VerifiedKey? key = reader.ReadForVerification(id);
            if (key == null)
            {
                return null;
            }
            var entry = new Entry(key, readIn);
            if (keys.TryAdd(id, entry))
            {
                if (Interlocked.Increment(ref count) > MaxKeys)
                {
                    Forget();
                }
            }
            else
            {
                keys[id] = entry;
            }
            return key;
        }

        /// <summary>How many keys are cached (usable or not).</summary>
        internal int Count => keys.Count;

        /// <summary>After a change to keys made through the store itself (its own commits may leave the change version as it was).</summary>
        public void Forget()
        {
            Interlocked.Increment(ref generation);
            keys.Clear();
            Volatile.Write(ref count, 0);
        }

        private sealed class Entry
        {
            public Entry(VerifiedKey key, long generation)
            {
                Key = key;
                Generation = generation;
            }

            public VerifiedKey Key { get; }

            public long Generation { get; }
        }
    }
}
