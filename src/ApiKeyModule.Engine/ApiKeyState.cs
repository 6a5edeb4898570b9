namespace ApiKeyModule
{
    /// <summary>Whether a key can be used now.</summary>
    public enum ApiKeyState
    {
        /// <summary>Neither revoked nor expired.</summary>
        Active,
        /// <summary>Revoked: it fails verification until it is reset.</summary>
        Revoked,
        /// <summary>Its expiry date has passed.</summary>
        Expired,
    }
}
