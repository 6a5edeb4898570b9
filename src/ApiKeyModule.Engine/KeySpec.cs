using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// What a key document asks for (<see cref="KeyDocument.Parse"/>): the fields it holds, validated. A field it leaves
    /// out is null (or false).
    /// </summary>
    public sealed class KeySpec
    {
        /// <summary>The name the document gives; always given for a new key.</summary>
        public string? Name { get; internal set; }

        /// <summary>The allowlist the document gives (empty when it says null).</summary>
        public IReadOnlyList<AllowlistEntry>? Allowlist { get; internal set; }

        /// <summary>True when the document holds expires_at (whose value may be null: never).</summary>
        public bool HasExpiresAt { get; internal set; }

        /// <summary>The expiry the document gives, when <see cref="HasExpiresAt"/>; null: never.</summary>
        public DateTime? ExpiresAt { get; internal set; }

        /// <summary>True when the document of an existing key asks for its secret to be replaced (reset: true).</summary>
        public bool Reset { get; internal set; }

        /// <summary>With <see cref="Reset"/>: how long the current key keeps working beside the new one; null: none.</summary>
        public TimeSpan? GracePeriod { get; internal set; }

        /// <summary>The changes that turn <paramref name="current"/> into what this document says.</summary>
        public ApiKeyChanges ChangesFrom(ApiKey current)
        {
            var changes = new ApiKeyChanges { Reset = Reset, GracePeriod = GracePeriod };
            if (Name != null && Name != current.Name)
            {
                changes.Name = Name;
            }
            if (Allowlist != null && !Same(Allowlist, current.Allowlist))
            {
                changes.Allowlist = Allowlist;
            }
            if (HasExpiresAt && ExpiresAt != current.ExpiresAt)
            {
                changes.ExpiresAt = ExpiresAt;
                changes.NeverExpires = ExpiresAt == null;
            }
            return changes;
        }

        private static bool Same(IReadOnlyList<AllowlistEntry> a, IReadOnlyList<AllowlistEntry> b)
        {
            if (a.Count != b.Count)
            {
                return false;
            }
            for (int i = 0; i < a.Count; i++)
            {
                if (!a[i].Equals(b[i]))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
