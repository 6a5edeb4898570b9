using System;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// Checks presented keys against a store, for code without PowerShell (a web service authenticating requests).
    /// Thread-safe, and concurrent: verifications of different keys run in parallel, each reading through a connection of
    /// its own (SQLite: read-only connections; PostgreSQL: pooled ones). Keep one open for the life of the service.
    /// Last uses and failed verifications are counted in memory and written by a background thread, together, within
    /// 15 s and when the verifier is disposed; a store it may not write (a read-only file, a role allowed only to read)
    /// still verifies every key, and says so once through <see cref="RecordingFailed"/>.
    /// </summary>
    /// <example>
    /// using var verifier = ApiKeyVerifier.Open("/srv/keys/apikeys.db");
    /// ApiKeyVerification result = verifier.Verify(request.Headers["X-Api-Key"], "GET", "/pool");
    /// if (!result.Valid) return result.Code == VerificationCode.Forbidden ? 403 : 401;
    /// </example>
    public sealed class ApiKeyVerifier : IDisposable
    {
        private const long DefaultTickMs = 1000;
        private readonly ApiKeyStore store;
        private readonly Timer flusher;
        private int disposed;

        private ApiKeyVerifier(ApiKeyStore store, long flushMs, long tickMs)
        {
            this.store = store;
            store.RecordingFailed = Report;
            // Due a tick early, so that a record is written within flushMs of being made.
            long dueMs = Math.Max(0, flushMs - tickMs);
            flusher = new Timer(_ => Flush(dueMs), null, tickMs, tickMs);
        }

        /// <summary>
        /// Opens the store <paramref name="location"/> names (a file path, or a PostgreSQL connection string or URI; see
        /// <see cref="ApiKeyStore.Open(string, TimeSpan?)"/>), or the default one. On PostgreSQL, a revocation, reset or
        /// deletion made anywhere is refused within a second (typically within milliseconds): the verifier listens for
        /// changes on a connection of its own.
        /// </summary>
        public static ApiKeyVerifier Open(string? location = null) => Over(ApiKeyStore.Open(location), ApiKeyStore.RecordedFlushMs, DefaultTickMs);

        /// <summary>For tests: what is recorded is written within <paramref name="flush"/>, checked every <paramref name="tick"/>.</summary>
        internal static ApiKeyVerifier Open(string? location, TimeSpan flush, TimeSpan tick) =>
            Over(ApiKeyStore.Open(location), (long)flush.TotalMilliseconds, (long)tick.TotalMilliseconds);

        private static ApiKeyVerifier Over(ApiKeyStore store, long flushMs, long tickMs)
        {
            try
            {
                store.PrepareForVerification();
            }
            catch
            {
                store.Dispose();
                throw;
            }
            return new ApiKeyVerifier(store, flushMs, tickMs);
        }

        /// <summary>
        /// Raised when the last uses and failed verifications the verifier has counted cannot be written to the store (a
        /// read-only file, a PostgreSQL role allowed only to read, a server that is down): once, and again only after a
        /// write has worked in between. They stay in memory (bounded) and are tried again every interval; verification
        /// goes on unaffected. Raised on the verifier's background thread (or the one disposing it); an exception thrown
        /// by a handler is ignored.
        /// </summary>
        public event EventHandler<ApiKeyRecordingFailedEventArgs>? RecordingFailed;

        /// <summary>
        /// Checks a presented key, and with <paramref name="method"/> and <paramref name="resource"/> whether its allowlist
        /// allows the call (see <see cref="ApiKeyStore.Verify"/>). Never writes to the store on the caller's thread.
        /// </summary>
        public ApiKeyVerification Verify(string? presentedKey, string? method = null, string? resource = null)
        {
            if (Volatile.Read(ref disposed) != 0)
            {
                throw new ObjectDisposedException(nameof(ApiKeyVerifier));
            }
            return store.Verify(presentedKey, method, resource);
        }

        /// <summary>For tests of a kind of store.</summary>
        internal ApiKeyStore Store => store;

        /// <summary>Writes what was counted (waiting for a background write that is running), then closes the store's connections.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
            {
                return;
            }
            using (var stopped = new ManualResetEvent(false))
            {
                if (flusher.Dispose(stopped))
                {
                    stopped.WaitOne();
                }
            }
            store.Dispose();
        }

        private void Flush(long dueMs)
        {
            try
            {
                store.FlushRecordedIfDue(dueMs);
            }
            catch (Exception)
            {
                // A timer callback must never end the process; what failed stays counted and is tried again.
            }
        }

        private void Report(ApiKeyException error)
        {
            EventHandler<ApiKeyRecordingFailedEventArgs>? handler = RecordingFailed;
            if (handler == null)
            {
                return;
            }
            (int uses, int failureGroups) = store.Pending;
            try
            {
                handler(this, new ApiKeyRecordingFailedEventArgs(error, store.Path, uses, failureGroups));
            }
            catch (Exception)
            {
                // The handler's own failure must not stop the background writes (nor end the process from its thread).
            }
        }
    }
}
