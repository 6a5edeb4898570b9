using System;

namespace ApiKeyModule
{
    /// <summary>
    /// What a verifier could not write to its store (<see cref="ApiKeyVerifier.RecordingFailed"/>): last uses and failed
    /// verifications, kept in memory and tried again an interval later. Verification itself goes on unaffected.
    /// </summary>
    public sealed class ApiKeyRecordingFailedEventArgs : EventArgs
    {
        internal ApiKeyRecordingFailedEventArgs(ApiKeyException error, string store, int pendingUses, int pendingFailureGroups)
        {
            Error = error;
            Store = store;
            PendingUses = pendingUses;
            PendingFailureGroups = pendingFailureGroups;
        }

        /// <summary>Why the write failed: StoreReadOnly for a read-only file or a role without the grants, StoreUnavailable, StoreBusy, ...</summary>
        public ApiKeyException Error { get; }

        /// <summary>Where the store was opened.</summary>
        public string Store { get; }

        /// <summary>How many keys' last uses wait in memory.</summary>
        public int PendingUses { get; }

        /// <summary>How many groups of like failed verifications wait in memory (at most a bounded number; more are counted in overflow groups).</summary>
        public int PendingFailureGroups { get; }

        /// <summary>What could not be recorded, where, how much waits in memory, and why, as one message.</summary>
        public override string ToString() =>
            $"Could not record in the store '{Store}' what was verified ({PendingUses} last uses, {PendingFailureGroups} groups of failed verifications " +
            $"kept in memory, tried again every {ApiKeyStore.RecordedFlushMs / 1000} s): {Error.Message}";
    }
}
