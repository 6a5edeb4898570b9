using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// An API key as a store holds it, read by <see cref="ApiKeyStore.Get"/>, <see cref="ApiKeyStore.List"/> and the
    /// like: never carries the key or its hash. Times are UTC, to the millisecond. A key object acts only on the store it
    /// was read from (<see cref="StoreId"/>).
    /// </summary>
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

        /// <summary>The key's number in its store, given at creation and never reused; the first part of the key ("&lt;Id&gt;-...").</summary>
        public int Id { get; internal set; }

        /// <summary>The key's name: 1 to 200 characters, unique in its store ignoring case.</summary>
        public string Name { get; internal set; } = "";

        /// <summary>When the key was created.</summary>
        public DateTime CreatedAt { get; internal set; }

        /// <summary>
        /// The calls the key may make, in order and without repeats (an <see cref="ApiKeyAllowlist"/>); empty: it may make
        /// none.
        /// </summary>
        public IReadOnlyList<AllowlistEntry> Allowlist { get; internal set; } = ApiKeyAllowlist.Empty;

        /// <summary>When the key stops working; null: it never expires.</summary>
        public DateTime? ExpiresAt { get; internal set; }

        /// <summary>True when the key was revoked: it fails verification until it is reset.</summary>
        public bool Revoked { get; internal set; }

        /// <summary>Why the key was revoked, with control characters escaped; null when it is not revoked or no reason was given.</summary>
        public string? RevokedReason { get; internal set; }

        /// <summary>Set by successful verification, to within a minute; null: never used.</summary>
        public DateTime? LastUsedAt { get; internal set; }

        /// <summary>
        /// When the previous key stops working: after a reset with a grace period (<see cref="ApiKeyChanges.GracePeriod"/>)
        /// the replaced key works beside the new one until then. Null when there is no previous key that works (none, or
        /// its grace period has passed).
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

        /// <summary>The key's name.</summary>
        public override string ToString() => Name;
    }
}
