using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// What verification reads, through one connection: a store's own, or one of the read connections a verifier keeps so
    /// that verifications run in parallel. Used by one thread at a time.
    /// </summary>
    internal interface IKeyReader
    {
        /// <summary>What verification needs of the key with this id (with the current hash algorithm), or null.</summary>
        VerifiedKey? ReadForVerification(int id);

        /// <summary>
        /// A number that changes whenever another connection has changed the store since it was last asked (on
        /// PostgreSQL, a change made by another process shows within a second: see <see cref="PostgresChangeListener"/>).
        /// Called once per verification cache hit: it must be cheap.
        /// </summary>
        long ChangeVersion();

        /// <summary>
        /// The last <see cref="ChangeVersion"/> seen where it is comparable: SQLite's counts per connection, so each reader
        /// has its own; PostgreSQL's is the store's, shared by its readers.
        /// </summary>
        ChangeTracker Tracker { get; }
    }

    /// <summary>The last change version seen through a reader (or the readers that share its versions).</summary>
    internal sealed class ChangeTracker
    {
        private long seen = long.MinValue;

        public long Seen => Volatile.Read(ref seen);

        public void See(long version) => Volatile.Write(ref seen, version);
    }
}
