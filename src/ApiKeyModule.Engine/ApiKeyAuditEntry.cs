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

        public long Id { get; internal set; }
        /// <summary>UTC. For failed verifications counted together, the time of the first.</summary>
        public DateTime Time { get; internal set; }
        /// <summary>UTC. For failed verifications, the time of the last counted in this entry; null for a change.</summary>
        public DateTime? LastTime { get; internal set; }
        /// <summary>How many events this entry stands for: 1 for a change; for failed verifications, how many alike were counted together.</summary>
        public long Count { get; internal set; }
        /// <summary>One of the <see cref="AuditAction"/> names.</summary>
        public string Action { get; internal set; } = "";
        public int? KeyId { get; internal set; }
        public string? KeyName { get; internal set; }
        public string? OldValue { get; internal set; }
        public string? NewValue { get; internal set; }
        public string? Details { get; internal set; }
        public string User { get; internal set; } = "";
        public string Host { get; internal set; } = "";
        public int ProcessId { get; internal set; }
        /// <summary>The identity of the store this entry was read from.</summary>
        public Guid StoreId { get; internal set; }
        /// <summary>Where that store was opened.</summary>
        public string Store { get; internal set; } = "";

        public override string ToString() => $"{UnixTime.Show(Time)} {Action} {KeyId} {KeyName}";
    }
}
