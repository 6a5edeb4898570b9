namespace ApiKeyModule
{
    /// <summary>The answer to one verification. Id and Name are given only when the presented secret was right.</summary>
    public sealed class ApiKeyVerification
    {
        internal ApiKeyVerification(VerificationCode code, int? id = null, string? name = null, AllowlistEntry? allowedBy = null)
        {
            Code = code;
            Id = id;
            Name = name;
            AllowedBy = allowedBy;
        }

        public bool Valid => Code == VerificationCode.Valid;
        public VerificationCode Code { get; }
        public int? Id { get; }
        public string? Name { get; }
        /// <summary>The allowlist entry that allowed the method and resource, when they were given.</summary>
        public AllowlistEntry? AllowedBy { get; }
        /// <summary>True when the key presented is the key's previous one, accepted in its grace period after a reset.</summary>
        public bool UsedPreviousKey { get; internal set; }
        /// <summary>When the key's previous key stops working, while there is one that works (whichever key was presented); else null.</summary>
        public System.DateTime? PreviousKeyExpiresAt { get; internal set; }

        public override string ToString() => Code.ToString();
    }
}
