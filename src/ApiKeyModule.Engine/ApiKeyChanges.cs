using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>What an update (<see cref="ApiKeyStore.Update(int, ApiKeyChanges)"/>) changes; a null member is left as it is.</summary>
    public sealed class ApiKeyChanges
    {
        /// <summary>The new name; null: the name stays.</summary>
        public string? Name { get; set; }

        /// <summary>The new allowlist, which replaces the whole list (empty: the key may call nothing); null: it stays.</summary>
        public IReadOnlyList<AllowlistEntry>? Allowlist { get; set; }

        /// <summary>
        /// Replace the secret: the old key stops working at once (or at the end of <see cref="GracePeriod"/>), and a
        /// revoked key is revoked no more.
        /// </summary>
        public bool Reset { get; set; }

        /// <summary>
        /// With <see cref="Reset"/>: how long the replaced key keeps working beside the new one (1 second to 30 days, and
        /// not past the key's expiry). It replaces a previous key still in its grace period. Null: it stops at once.
        /// </summary>
        public TimeSpan? GracePeriod { get; set; }

        /// <summary>The new expiry, in the future; null: it stays (see <see cref="NeverExpires"/> to remove it).</summary>
        public DateTime? ExpiresAt { get; set; }

        /// <summary>Remove the expiry date.</summary>
        public bool NeverExpires { get; set; }

        /// <summary>True when nothing is asked for (an update with it is NoChangeRequested).</summary>
        public bool IsEmpty => Name == null && Allowlist == null && !Reset && ExpiresAt == null && !NeverExpires;
    }
}
