namespace ApiKeyModule
{
    /// <summary>The actions the audit log records (<see cref="ApiKeyAuditEntry.Action"/>).</summary>
    public static class AuditAction
    {
        /// <summary>A key was created; NewValue is its allowlist, Details its expiry when it has one.</summary>
        public const string Create = "Create";

        /// <summary>A key was renamed; OldValue and NewValue are the names.</summary>
        public const string Rename = "Rename";

        /// <summary>A key's allowlist was replaced; OldValue and NewValue are the lists.</summary>
        public const string SetAllowlist = "SetAllowlist";

        /// <summary>
        /// A key's secret was replaced; Details says, when it applies, that a revoked key is revoked no more, or until when
        /// the old secret works.
        /// </summary>
        public const string Reset = "Reset";

        /// <summary>A key's expiry was set or removed; OldValue and NewValue are the expiries ("never" for none).</summary>
        public const string SetExpiry = "SetExpiry";

        /// <summary>A key was revoked; Details is the reason given, if any.</summary>
        public const string Revoke = "Revoke";

        /// <summary>A key was deleted; OldValue is its name. Its earlier entries stay.</summary>
        public const string Delete = "Delete";

        /// <summary>
        /// Verifications failed alike (same key, code and request), counted together: Details is the code and the request,
        /// <see cref="ApiKeyAuditEntry.Count"/> how many.
        /// </summary>
        public const string VerificationFailed = "VerificationFailed";

        /// <summary>
        /// The previous key of a key reset with a grace period stopped working: ended early (by a revocation, another
        /// reset or the deletion, in the same transaction) or ran out (recorded when a store first notices it).
        /// </summary>
        public const string GracePeriodEnded = "GracePeriodEnded";

        /// <summary>The store was filled by copying another (<see cref="ApiKeyStore.CopyTo"/>); Details says from where.</summary>
        public const string Copy = "Copy";

        /// <summary>Entries before a time were removed (<see cref="ApiKeyStore.ClearAuditLog"/>); Details says how many and the bound.</summary>
        public const string ClearAuditLog = "ClearAuditLog";
    }
}
