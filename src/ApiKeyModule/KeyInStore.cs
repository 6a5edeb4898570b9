namespace ApiKeyModule.Commands
{
    /// <summary>A key to act on, as its store holds it now, and that store.</summary>
    internal sealed class KeyInStore
    {
        public KeyInStore(ApiKeyStore store, ApiKey key)
        {
            Store = store;
            Key = key;
        }

        public ApiKeyStore Store { get; }
        public ApiKey Key { get; }

        public override string ToString() => $"Id {Key.Id} ('{Key.Name}')";
    }
}
