using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>What an update changes; a null member is left as it is.</summary>
    public sealed class ApiKeyChanges
    {
        public string Name { get; set; }
        public IReadOnlyList<AllowlistEntry> Allowlist { get; set; }
        /// <summary>Replace the secret: the old key stops working at once, and a revoked key is revoked no more.</summary>
        public bool Reset { get; set; }
        public DateTime? ExpiresAt { get; set; }
        /// <summary>Remove the expiry date.</summary>
        public bool NeverExpires { get; set; }

        public bool IsEmpty => Name == null && Allowlist == null && !Reset && ExpiresAt == null && !NeverExpires;
    }
}
