using System;
using System.Collections.Generic;
using System.Threading;

namespace ApiKeyModule
{
    public sealed partial class ApiKeyStore
    {
        /// <summary>
        /// What verification records (last uses, uses of previous secrets, ends of grace periods, failed verifications) is
        /// kept in memory and written together in one transaction, at the latest this long after the first of it (and when
        /// the store is read, changed or closed).
        /// </summary>
        internal const long RecordedFlushMs = 15_000;
        // Uses of this many keys are written at once, whatever their age: memory stays small however many keys are used.
        internal const int MaxPendingUses = 50_000;
        private readonly PendingUses uses = new PendingUses();
        private readonly PendingFailures failures = new PendingFailures();
        private readonly object flushGate = new object();
        // When the oldest record still in memory was made (ms since 1970), or 0 when there is none.
        private long pendingSince;
        private bool recordsInBackground;
        private bool recordingFails;

        /// <summary>
        /// Called when what verification records cannot be written (a read-only file, a role without the grant): once,
        /// and again only after a write has worked in between. What was recorded stays in memory (within its bounds) and
        /// is tried again an interval later.
        /// </summary>
        internal Action<ApiKeyException>? RecordingFailed { get; set; }

        /// <summary>How many last uses and groups of failed verifications wait to be written.</summary>
        internal (int Uses, int FailureGroups) Pending => (uses.Count, failures.Count);

        /// <summary>When the oldest record still in memory was made (ms since 1970), or 0 when there is none.</summary>
        internal long PendingSince => Interlocked.Read(ref pendingSince);

        /// <summary>
        /// Writes what was recorded, unless nothing is or a write transaction is open (it is then written later). A store
        /// that cannot be written keeps it and reports it once (<see cref="RecordingFailed"/>); nothing is thrown for it.
        /// </summary>
        internal void FlushRecorded()
        {
            lock (flushGate)
            {
                Flush();
            }
        }

        /// <summary>
        /// For a verifier's background thread: lets go of what idle read connections hold, and writes what was recorded
        /// when the oldest record is <paramref name="ageMs"/> old (or there are many); skips while another flush runs.
        /// </summary>
        internal void FlushRecordedIfDue(long ageMs)
        {
            backend.EndIdleReads();
            if (!IsDue(Interlocked.Read(ref pendingSince), UnixTime.ToMilliseconds(DateTime.UtcNow), ageMs, uses) || !Monitor.TryEnter(flushGate))
            {
                return;
            }
            try
            {
                Flush();
            }
            finally
            {
                Monitor.Exit(flushGate);
            }
        }

        /// <summary>After a use or failure was recorded: a store without a background flush writes when the oldest record is due.</summary>
        internal void Recorded(long now)
        {
            // A plain read first: every failure comes here, and a locked instruction on a shared line would make the
            // threads of a verifier take turns.
            if (Volatile.Read(ref pendingSince) == 0)
            {
                Interlocked.CompareExchange(ref pendingSince, now, 0);
            }
            if (!recordsInBackground && IsDue(Interlocked.Read(ref pendingSince), now, RecordedFlushMs, uses))
            {
                FlushRecorded();
            }
        }

        /// <summary>
        /// Whether what was recorded is to be written at <paramref name="now"/>: the oldest record (made at
        /// <paramref name="since"/>, 0 for none) is <paramref name="ageMs"/> old, or uses of many keys wait.
        /// </summary>
        internal static bool IsDue(long since, long now, long ageMs, PendingUses uses) =>
            since != 0 && (now - since >= ageMs || uses.Count >= MaxPendingUses);

        private void Flush()
        {
            if (Interlocked.Read(ref pendingSince) == 0 || backend.InTransaction)
            {
                return;
            }
            Interlocked.Exchange(ref pendingSince, 0);
            Dictionary<int, long> touched = uses.Take();
            List<FailureGroup> failed = failures.Take();
            (List<PreviousKeyUse> Uses, Dictionary<int, long> Ends) graceRecords = grace.Take();
            if (touched.Count == 0 && failed.Count == 0 && graceRecords.Uses.Count == 0 && graceRecords.Ends.Count == 0)
            {
                return;
            }
            try
            {
                backend.Write(() =>
                {
                    backend.WriteLastUses(touched);
                    WriteGraceBookkeeping(graceRecords.Uses, graceRecords.Ends);
                    foreach (FailureGroup group in failed)
                    {
                        backend.AppendAudit(new AuditRecord
                        {
                            At = group.First,
                            LastAt = group.Last,
                            Count = group.Count,
                            Action = AuditAction.VerificationFailed,
                            KeyId = group.KeyId,
                            KeyName = group.KeyName,
                            Details = group.Details,
                            User = AuditOrigin.User,
                            Host = AuditOrigin.Host,
                            ProcessId = AuditOrigin.ProcessId,
                        });
                    }
                    return 0;
                });
                recordingFails = false;
            }
            catch (ApiKeyException e) when (e.IsStoreFailure)
            {
                // Kept, and tried again an interval from now: not on every verification.
                uses.Restore(touched);
                failures.Restore(failed);
                grace.Restore(graceRecords);
                Interlocked.CompareExchange(ref pendingSince, UnixTime.ToMilliseconds(DateTime.UtcNow), 0);
                if (!recordingFails)
                {
                    recordingFails = true;
                    RecordingFailed?.Invoke(e);
                }
            }
        }
    }
}
