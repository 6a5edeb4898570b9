using System;
using System.Collections.Concurrent;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// Changes to keys committed through this process, counted per store: a verifier in the same process sees them at
    /// once, without waiting for the server's announcement (which still reaches every other process).
    /// </summary>
    internal sealed class PostgresLocalChanges
    {
        private static readonly ConcurrentDictionary<Guid, PostgresLocalChanges> Stores = new ConcurrentDictionary<Guid, PostgresLocalChanges>();
        private long count;

        private PostgresLocalChanges()
        {
        }

        public static PostgresLocalChanges For(Guid storeId) => Stores.GetOrAdd(storeId, _ => new PostgresLocalChanges());

        public long Count => Volatile.Read(ref count);

        /// <summary>After the change has committed: a verifier that reads the key then must find it changed.</summary>
        public void Add() => Interlocked.Increment(ref count);
    }
}
