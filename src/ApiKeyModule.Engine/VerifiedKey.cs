using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>What verification needs of a stored key, kept between verifications while the store is unchanged.</summary>
    internal sealed class VerifiedKey
    {
        private readonly string allowlistText;
        private IReadOnlyList<AllowlistEntry>? allowlist;

        public VerifiedKey(string name, byte[] hash, bool revoked, long? expiresAt, long? lastUsedAt, string allowlistText)
        {
            Name = name;
            Hash = hash;
            Revoked = revoked;
            ExpiresAt = expiresAt;
            LastUsedAt = lastUsedAt;
            this.allowlistText = allowlistText;
        }

        public string Name { get; }

        public byte[] Hash { get; }

        public bool Revoked { get; }

        public long? ExpiresAt { get; }

        public long? LastUsedAt { get; }

        /// <summary>The previous secret's hash, kept by a reset with a grace period; null when the row holds none.</summary>
        public byte[]? PreviousHash { get; internal set; }

        /// <summary>When the previous secret stops working (it works while this is in the future).</summary>
        public long? PreviousExpiresAt { get; internal set; }

        public long? PreviousLastUsedAt { get; internal set; }

        /// <summary>Parsed on the first authorization that needs it.</summary>
        public IReadOnlyList<AllowlistEntry> Allowlist => allowlist ?? (allowlist = AllowlistColumn.Read(allowlistText));
    }
}
