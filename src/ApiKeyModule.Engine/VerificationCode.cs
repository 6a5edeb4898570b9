namespace ApiKeyModule
{
    /// <summary>Why a presented key was accepted or refused.</summary>
    public enum VerificationCode
    {
        Valid,
        /// <summary>Not of the form "&lt;id&gt;-&lt;64 characters of [A-Za-z0-9]&gt;".</summary>
        Malformed,
        /// <summary>No key with this id and secret (whether the id exists is not revealed).</summary>
        NotFound,
        Expired,
        Revoked,
        /// <summary>The key is genuine but its allowlist does not allow the method and resource.</summary>
        Forbidden,
    }
}
