using System;

namespace ApiKeyModule
{
    /// <summary>One row of the audit log: a change to a key, or a failed verification. Never holds key material.</summary>
    public sealed class ApiKeyAuditEntry
    {
        internal ApiKeyAuditEntry()
        {
        }

        public long Id { get; internal set; }
        /// <summary>UTC.</summary>
        public DateTime Time { get; internal set; }
        /// <summary>One of the <see cref="AuditAction"/> names.</summary>
        public string Action { get; internal set; }
        public int? KeyId { get; internal set; }
        public string KeyName { get; internal set; }
        public string OldValue { get; internal set; }
        public string NewValue { get; internal set; }
        public string Details { get; internal set; }
        public string User { get; internal set; }
        public string Host { get; internal set; }
        public int ProcessId { get; internal set; }
        /// <summary>The identity of the store this entry was read from.</summary>
        public Guid StoreId { get; internal set; }
        /// <summary>Where that store was opened.</summary>
        public string Store { get; internal set; }

        public override string ToString() => $"{UnixTime.Show(Time)} {Action} {KeyId} {KeyName}";
    }
}
