using System;

namespace ApiKeyModule
{
    /// <summary>
    /// Checks presented keys against a store, for code without PowerShell (a web service authenticating requests).
    /// Thread-safe; keep one open for the life of the service.
    /// </summary>
    /// <example>
    /// using var verifier = ApiKeyVerifier.Open("/srv/keys/apikeys.db");
    /// ApiKeyVerification result = verifier.Verify(request.Headers["X-Api-Key"], "GET", "/pool");
    /// if (!result.Valid) return result.Code == VerificationCode.Forbidden ? 403 : 401;
    /// </example>
    public sealed class ApiKeyVerifier : IDisposable
    {
        private readonly ApiKeyStore store;
        private readonly object gate = new object();

        private ApiKeyVerifier(ApiKeyStore store)
        {
            this.store = store;
        }

        /// <summary>
        /// Opens the store <paramref name="location"/> names (a file path, or a PostgreSQL connection string or URI; see
        /// <see cref="ApiKeyStore.Open(string, TimeSpan?)"/>), or the default one. On PostgreSQL, a revocation, reset or
        /// deletion made anywhere is refused within a second (typically within milliseconds): the verifier listens for
        /// changes on a connection of its own.
        /// </summary>
        public static ApiKeyVerifier Open(string location = null) => Over(ApiKeyStore.Open(location));

        private static ApiKeyVerifier Over(ApiKeyStore store)
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
            return new ApiKeyVerifier(store);
        }

        public ApiKeyVerification Verify(string presentedKey, string method = null, string resource = null)
        {
            lock (gate)
            {
                return store.Verify(presentedKey, method, resource);
            }
        }

        /// <summary>For tests of a kind of store.</summary>
        internal ApiKeyStore Store => store;

        public void Dispose()
        {
            lock (gate)
            {
                store.Dispose();
            }
        }
    }
}
