using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>An API key as stored: never carries the key or its hash. Times are UTC.</summary>
    public class ApiKey
    {
        internal ApiKey()
        {
        }

        internal ApiKey(ApiKey other)
        {
            Id = other.Id;
            Name = other.Name;
            CreatedAt = other.CreatedAt;
            Allowlist = other.Allowlist;
            ExpiresAt = other.ExpiresAt;
            Revoked = other.Revoked;
            RevokedReason = other.RevokedReason;
            LastUsedAt = other.LastUsedAt;
            PreviousKeyExpiresAt = other.PreviousKeyExpiresAt;
            PreviousKeyLastUsedAt = other.PreviousKeyLastUsedAt;
            StoredPreviousKeyEnd = other.StoredPreviousKeyEnd;
            StoreId = other.StoreId;
            Store = other.Store;
            Origin = other.Origin;
        }

        public int Id { get; internal set; }
        public string Name { get; internal set; } = "";
        public DateTime CreatedAt { get; internal set; }
        public IReadOnlyList<AllowlistEntry> Allowlist { get; internal set; } = ApiKeyAllowlist.Empty;
        /// <summary>Null: never expires.</summary>
        public DateTime? ExpiresAt { get; internal set; }
        public bool Revoked { get; internal set; }
        public string? RevokedReason { get; internal set; }
        /// <summary>Set by successful verification, to within a minute; null: never used.</summary>
        public DateTime? LastUsedAt { get; internal set; }
        /// <summary>
        /// When the previous key stops working: after <c>Set-ApiKey -Reset -GracePeriod</c> the replaced key works beside
        /// the new one until then. Null when there is no previous key that works (none, or its grace period has passed).
        /// </summary>
        public DateTime? PreviousKeyExpiresAt { get; internal set; }
        /// <summary>When the previous key was last verified since the reset, to within a minute; null when it was not, or there is none.</summary>
        public DateTime? PreviousKeyLastUsedAt { get; internal set; }

        /// <summary>The end of the previous secret as stored (milliseconds), while the row holds one, passed or not.</summary>
        internal long? StoredPreviousKeyEnd { get; set; }

        /// <summary>Whether the key can be used now: Revoked, else Expired once <see cref="ExpiresAt"/> has passed, else Active.</summary>
        public ApiKeyState State =>
            Revoked ? ApiKeyState.Revoked : ExpiresAt <= DateTime.UtcNow ? ApiKeyState.Expired : ApiKeyState.Active;

        /// <summary>The identity of the store this record was read from (kept inside the store, so it survives a move or copy).</summary>
        public Guid StoreId { get; internal set; }
        /// <summary>Where that store was opened: a change to this key object is made there.</summary>
        public string Store { get; internal set; } = "";

        /// <summary>How to open that store again (it may hold a password, so it is not a public property).</summary>
        internal StoreOrigin? Origin { get; set; }

        /// <summary>The previous secret is gone (ended, or never kept).</summary>
        internal void ForgetPreviousKey()
        {
            PreviousKeyExpiresAt = null;
            PreviousKeyLastUsedAt = null;
            StoredPreviousKeyEnd = null;
        }

        public override string ToString() => Name;
    }
}
