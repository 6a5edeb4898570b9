namespace ApiKeyModule
{
    /// <summary>
    /// The key returned by <see cref="ApiKeyStore.Create"/> and by an update that resets it: the only object that ever
    /// holds the plaintext key. Give <see cref="Key"/> to the client now; the store keeps only its hash.
    /// </summary>
    public sealed class IssuedApiKey : ApiKey
    {
        internal IssuedApiKey(ApiKey record, string key)
            : base(record)
        {
            Key = key;
        }

        /// <summary>The key a client presents, "&lt;Id&gt;-&lt;64 characters of [A-Za-z0-9]&gt;".</summary>
        public string Key { get; }
    }
}
