using System;

namespace ApiKeyModule
{
    /// <summary>What <see cref="ApiKeyStore.CopyTo"/> copied: from where, to where (neither showing a password), and how many rows.</summary>
    public sealed class ApiKeyStoreCopy
    {
        internal ApiKeyStoreCopy(ApiKeyStore source, ApiKeyStore destination, long keys, long auditEntries)
        {
            Source = source.Path;
            SourceId = source.Id;
            Destination = destination.Path;
            DestinationId = destination.Id;
            Keys = keys;
            AuditEntries = auditEntries;
        }

        public string Source { get; }
        public Guid SourceId { get; }
        public string Destination { get; }
        /// <summary>The destination keeps its own identity: it is another store.</summary>
        public Guid DestinationId { get; }
        public long Keys { get; }
        /// <summary>The audit rows copied, not counting the Copy row written in the destination.</summary>
        public long AuditEntries { get; }

        public override string ToString() => $"{Source} -> {Destination}: {Keys} keys, {AuditEntries} audit entries";
    }

    /// <summary>How far <see cref="ApiKeyStore.CopyTo"/> has come in one of its two parts: the keys, then the audit log.</summary>
    public sealed class ApiKeyStoreCopyProgress
    {
        internal ApiKeyStoreCopyProgress(bool auditLog, long done, long total)
        {
            IsAuditLog = auditLog;
            Done = done;
            Total = total;
        }

        /// <summary>False while the keys are copied, true while the audit log is.</summary>
        public bool IsAuditLog { get; }
        public long Done { get; }
        public long Total { get; }
    }
}
