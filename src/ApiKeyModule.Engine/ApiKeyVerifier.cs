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

        /// <summary>Opens the store at <paramref name="storePath"/>, or the default one.</summary>
        public static ApiKeyVerifier Open(string storePath = null)
        {
            ApiKeyStore store = ApiKeyStore.Open(storePath);
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

        public void Dispose()
        {
            lock (gate)
            {
                store.Dispose();
            }
        }
    }
}
