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

        /// <summary>Where the source store was opened.</summary>
        public string Source { get; }

        /// <summary>The source store's identity.</summary>
        public Guid SourceId { get; }

        /// <summary>Where the destination store was opened.</summary>
        public string Destination { get; }

        /// <summary>The destination keeps its own identity: it is another store.</summary>
        public Guid DestinationId { get; }

        /// <summary>The keys copied.</summary>
        public long Keys { get; }

        /// <summary>The audit rows copied, not counting the Copy row written in the destination.</summary>
        public long AuditEntries { get; }

        /// <summary>From where to where, and how many rows, on one line.</summary>
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

        /// <summary>How many rows of this part are copied so far.</summary>
        public long Done { get; }

        /// <summary>How many rows this part has.</summary>
        public long Total { get; }
    }
}
