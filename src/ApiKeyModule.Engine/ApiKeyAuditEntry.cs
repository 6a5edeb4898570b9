using System;

namespace ApiKeyModule
{
    /// <summary>One row of the audit log: a change to a key, or a failed verification. Never holds key material.</summary>
    public sealed class ApiKeyAuditEntry
    {
        internal ApiKeyAuditEntry(long id, DateTime time, string action, int? keyId, string keyName, string oldValue, string newValue,
            string details, string user, string host, int processId)
        {
            Id = id;
            Time = time;
            Action = action;
            KeyId = keyId;
            KeyName = keyName;
            OldValue = oldValue;
            NewValue = newValue;
            Details = details;
            User = user;
            Host = host;
            ProcessId = processId;
        }

        public long Id { get; }
        /// <summary>UTC.</summary>
        public DateTime Time { get; }
        /// <summary>One of the <see cref="AuditAction"/> names.</summary>
        public string Action { get; }
        public int? KeyId { get; }
        public string KeyName { get; }
        public string OldValue { get; }
        public string NewValue { get; }
        public string Details { get; }
        public string User { get; }
        public string Host { get; }
        public int ProcessId { get; }

        public override string ToString() => $"{UnixTime.Show(Time)} {Action} {KeyId} {KeyName}";
    }
}
