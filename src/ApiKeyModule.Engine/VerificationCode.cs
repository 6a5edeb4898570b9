namespace ApiKeyModule
{
    /// <summary>Why a presented key was accepted or refused.</summary>
    public enum VerificationCode
    {
        /// <summary>The key is genuine and active, and allowed the method and resource when they were given.</summary>
        Valid,
        /// <summary>Not of the form "&lt;id&gt;-&lt;64 characters of [A-Za-z0-9]&gt;".</summary>
        Malformed,
        /// <summary>No key with this id and secret (whether the id exists is not revealed).</summary>
        NotFound,
        /// <summary>The key is genuine, but its expiry date has passed.</summary>
        Expired,

        /// <summary>The key is genuine, but it was revoked.</summary>
        Revoked,
        /// <summary>The key is genuine but its allowlist does not allow the method and resource.</summary>
        Forbidden,
    }
}
