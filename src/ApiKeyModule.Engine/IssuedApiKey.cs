namespace ApiKeyModule
{
    /// <summary>
    /// The record returned by create and reset: the only object that ever holds the plaintext key,
    /// in the form "&lt;Id&gt;-&lt;64 characters of [A-Za-z0-9]&gt;".
    /// </summary>
    public sealed class IssuedApiKey : ApiKey
    {
        internal IssuedApiKey(ApiKey record, string key)
            : base(record)
        {
            Key = key;
        }

        public string Key { get; }
    }
}
