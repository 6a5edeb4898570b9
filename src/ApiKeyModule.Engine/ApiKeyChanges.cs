using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>What an update changes; a null member is left as it is.</summary>
    public sealed class ApiKeyChanges
    {
        public string? Name { get; set; }
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
        public DateTime? ExpiresAt { get; set; }
        /// <summary>Remove the expiry date.</summary>
        public bool NeverExpires { get; set; }

        public bool IsEmpty => Name == null && Allowlist == null && !Reset && ExpiresAt == null && !NeverExpires;
    }
}
