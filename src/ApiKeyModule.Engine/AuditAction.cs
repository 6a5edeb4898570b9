namespace ApiKeyModule
{
    /// <summary>The actions the audit log records.</summary>
    public static class AuditAction
    {
        public const string Create = "Create";
        public const string Rename = "Rename";
        public const string SetAllowlist = "SetAllowlist";
        public const string Reset = "Reset";
        public const string SetExpiry = "SetExpiry";
        public const string Revoke = "Revoke";
        public const string Delete = "Delete";
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
