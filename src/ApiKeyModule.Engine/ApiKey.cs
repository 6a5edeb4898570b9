using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>An API key as stored: never carries the key or its hash. Times are UTC.</summary>
    public class ApiKey
    {
        internal ApiKey(int id, string name, DateTime createdAt, IReadOnlyList<AllowlistEntry> allowlist,
            DateTime? expiresAt = null, bool revoked = false, string revokedReason = null, DateTime? lastUsedAt = null)
        {
            Id = id;
            Name = name;
            CreatedAt = createdAt;
            Allowlist = allowlist;
            ExpiresAt = expiresAt;
            Revoked = revoked;
            RevokedReason = revokedReason;
            LastUsedAt = lastUsedAt;
        }

        internal ApiKey(ApiKey other)
            : this(other.Id, other.Name, other.CreatedAt, other.Allowlist, other.ExpiresAt, other.Revoked, other.RevokedReason, other.LastUsedAt)
        {
        }

        public int Id { get; }
        public string Name { get; }
        public DateTime CreatedAt { get; }
        public IReadOnlyList<AllowlistEntry> Allowlist { get; }
        /// <summary>Null: never expires.</summary>
        public DateTime? ExpiresAt { get; }
        public bool Revoked { get; }
        public string RevokedReason { get; }
        /// <summary>Set by successful verification, to within a minute; null: never used.</summary>
        public DateTime? LastUsedAt { get; }

        public override string ToString() => Name;
    }
}
