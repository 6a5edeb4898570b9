using System;

namespace ApiKeyModule
{
    /// <summary>
    /// One row of the audit log: a change, or failed verifications alike in key, code and request, counted together
    /// (<see cref="Count"/> of them, from <see cref="Time"/> to <see cref="LastTime"/>). Never holds key material.
    /// </summary>
    public sealed class ApiKeyAuditEntry
    {
        internal ApiKeyAuditEntry()
        {
        }

        /// <summary>The entry's number in its store's log, never reused; a newer entry has a higher one.</summary>
        public long Id { get; internal set; }

        /// <summary>UTC. For failed verifications counted together, the time of the first.</summary>
        public DateTime Time { get; internal set; }

        /// <summary>UTC. For failed verifications, the time of the last counted in this entry; null for a change.</summary>
        public DateTime? LastTime { get; internal set; }

        /// <summary>How many events this entry stands for: 1 for a change; for failed verifications, how many alike were counted together.</summary>
        public long Count { get; internal set; }

        /// <summary>One of the <see cref="AuditAction"/> names.</summary>
        public string Action { get; internal set; } = "";

        /// <summary>The key it is about; null for an entry about the whole store (Copy, ClearAuditLog) or failed verifications of no known key.</summary>
        public int? KeyId { get; internal set; }

        /// <summary>The key's name when the entry was written (the new one for a Rename); null when it names no key.</summary>
        public string? KeyName { get; internal set; }

        /// <summary>What a Rename, SetAllowlist, SetExpiry or Delete changed from (a name, an allowlist, an expiry); else null.</summary>
        public string? OldValue { get; internal set; }

        /// <summary>What a Create, Rename, SetAllowlist or SetExpiry changed to; else null.</summary>
        public string? NewValue { get; internal set; }

        /// <summary>
        /// More about it, as text for people: the revocation reason, the verification code and request of failed
        /// verifications, what became of a previous key; null when there is nothing more.
        /// </summary>
        public string? Details { get; internal set; }

        /// <summary>The operating-system user of the process that wrote it.</summary>
        public string User { get; internal set; } = "";

        /// <summary>The machine the process that wrote it ran on.</summary>
        public string Host { get; internal set; } = "";

        /// <summary>The id of the process that wrote it.</summary>
        public int ProcessId { get; internal set; }

        /// <summary>The identity of the store this entry was read from.</summary>
        public Guid StoreId { get; internal set; }

        /// <summary>Where that store was opened.</summary>
        public string Store { get; internal set; } = "";

        /// <summary>The time, action, key id and key name, for a glance.</summary>
        public override string ToString() => $"{UnixTime.Show(Time)} {Action} {KeyId} {KeyName}";
    }
}
