namespace ApiKeyModule
{
    /// <summary>
    /// The answer to one verification (<see cref="ApiKeyStore.Verify"/>, <see cref="ApiKeyVerifier.Verify"/>).
    /// <see cref="Id"/> and <see cref="Name"/> are given only when the presented secret was right.
    /// </summary>
    public sealed class ApiKeyVerification
    {
        internal ApiKeyVerification(VerificationCode code, int? id = null, string? name = null, AllowlistEntry? allowedBy = null)
        {
            Code = code;
            Id = id;
            Name = name;
            AllowedBy = allowedBy;
        }

        /// <summary>True when the key is accepted: genuine, active, and allowed the method and resource when they were given.</summary>
        public bool Valid => Code == VerificationCode.Valid;

        /// <summary>Why the key was accepted or refused.</summary>
        public VerificationCode Code { get; }

        /// <summary>The key's id when the presented secret was right (whatever the code); else null.</summary>
        public int? Id { get; }

        /// <summary>The key's name when the presented secret was right; else null.</summary>
        public string? Name { get; }

        /// <summary>The allowlist entry that allowed the method and resource, when they were given.</summary>
        public AllowlistEntry? AllowedBy { get; }

        /// <summary>True when the key presented is the key's previous one, accepted in its grace period after a reset.</summary>
        public bool UsedPreviousKey { get; internal set; }

        /// <summary>When the key's previous key stops working, while there is one that works (whichever key was presented); else null.</summary>
        public System.DateTime? PreviousKeyExpiresAt { get; internal set; }

        /// <summary>The code's name, such as "Valid" or "Forbidden".</summary>
        public override string ToString() => Code.ToString();
    }
}
