using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>
    /// Resets with a grace period: the replaced secret (the previous key) keeps working beside the new one until its end.
    /// A key holds at most one previous secret; another reset replaces it (or, without a grace period, ends it), and a
    /// revocation or deletion ends it, each in its own transaction with a GracePeriodEnded audit row. A previous secret
    /// that simply runs out is recorded (once) by the first change to the key after its end, in that change's
    /// transaction, or by the first store that verifies the key after its end, with its next batch of last uses.
    /// </summary>
    public sealed partial class ApiKeyStore
    {
        // Uses of previous secrets and ends noticed by verification, batched with last uses (see ApiKeyStore.Recording.cs).
        private readonly PendingGrace grace = new PendingGrace();

        /// <summary>For tests: what verification recorded of grace periods and this store has not written yet.</summary>
        internal PendingGrace GraceRecords => grace;

        /// <summary>Whether <paramref name="hash"/> is the key's previous secret, while that still works.</summary>
        private static bool MatchesPreviousKey(VerifiedKey key, byte[] hash) => MatchesPreviousKey(key, hash, UnixTime.ToMilliseconds(DateTime.UtcNow));

        /// <summary>Whether <paramref name="hash"/> is the key's previous secret, and that works at <paramref name="now"/>: its end is exclusive.</summary>
        internal static bool MatchesPreviousKey(VerifiedKey key, byte[] hash, long now) =>
            key.PreviousHash != null && key.PreviousExpiresAt > now && FixedTimeEquals(hash, key.PreviousHash);

        /// <summary>What a verification of a genuine key says of its previous secret.</summary>
        internal static ApiKeyVerification WithGrace(ApiKeyVerification result, VerifiedKey key, bool usedPreviousKey, long now)
        {
            result.UsedPreviousKey = usedPreviousKey;
            if (key.PreviousHash != null && key.PreviousExpiresAt > now)
            {
                result.PreviousKeyExpiresAt = UnixTime.FromMilliseconds(key.PreviousExpiresAt.Value);
            }
            return result;
        }

        /// <summary>A verification of a genuine key whose previous secret has passed its end: the end is recorded with the next batch.</summary>
        internal void NoticeGraceEnd(int id, VerifiedKey key, long now)
        {
            if (key.PreviousHash == null || key.PreviousExpiresAt is not long end || end > now)
            {
                return;
            }
            if (grace.NoticeEnd(id, end))
            {
                Recorded(now);
            }
        }

        /// <summary>A verification by the previous secret: recorded with the same resolution and batching as a last use.</summary>
        private void RecordPreviousUse(int id, VerifiedKey key, long now)
        {
            if (grace.RecordUse(key, id, now))
            {
                Recorded(now);
            }
        }

        /// <summary>Inside the transaction that writes a batch of what verification recorded.</summary>
        private void WriteGraceBookkeeping(List<PreviousKeyUse> uses, Dictionary<int, long> ends)
        {
            // Stryker disable once Equality : an empty batch updates no row; the check only spares preparing the statement
            if (uses.Count > 0)
            {
                backend.WritePreviousLastUses(uses);
            }
            long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
            foreach (KeyValuePair<int, long> ended in ends)
            {
                RecordGraceRanOut(ended.Key, ended.Value, now);
            }
        }

        /// <summary>
        /// Inside a write transaction: a GracePeriodEnded row for the key's previous secret that ended at
        /// <paramref name="end"/>, unless the key no longer holds that secret, it has not ended yet, or its end is recorded.
        /// </summary>
        internal void RecordGraceRanOut(int id, long end, long now)
        {
            PreviousKeyRow? row = backend.ReadPreviousKey(id);
            if (row == null || row.ExpiresAt != end || end > now || backend.HasAudit(id, AuditAction.GracePeriodEnded, end))
            {
                return;
            }
            // A batch writes its uses of previous keys before the ends it noticed: the row has the last of them.
            Audit(AuditAction.GracePeriodEnded, id, row.Name,
                details: $"The grace period ran out: the previous key stopped working at {UnixTime.Show(Time(end))}. {LastUse(row.LastUsedAt)}");
        }

        /// <summary>
        /// Inside an update's transaction, before the key is written: checks the grace period asked for against the key,
        /// records the end of the previous secret this change ends (or finds ended), and sets what
        /// <paramref name="updated"/> shows of it. A kept previous secret never outlives the key: a new, earlier expiry
        /// ends it then too.
        /// </summary>
        private PreviousKeyUpdate ChangePreviousKey(ApiKey current, ApiKey updated, bool reset, TimeSpan? grace, long now)
        {
            long? end = null;
            if (grace != null)
            {
                end = now + (long)grace.Value.TotalMilliseconds;
                CheckGrace(current, updated, grace.Value, end.Value, now);
            }
            bool ended = EndPreviousKey(current, reset ? (end != null ? "a reset with a new grace period" : "a reset") : null, now);
            if (end != null)
            {
                updated.StoredPreviousKeyEnd = end;
                updated.PreviousKeyExpiresAt = UnixTime.FromMilliseconds(end.Value);
                updated.PreviousKeyLastUsedAt = null;
                return PreviousKeyUpdate.FromCurrent;
            }
            if (ended)
            {
                updated.ForgetPreviousKey();
                return PreviousKeyUpdate.Clear;
            }
            // Stryker disable once Equality : at equality the assignments write the values the key already holds
            if (updated.StoredPreviousKeyEnd != null && updated.ExpiresAt != null && UnixTime.ToMilliseconds(updated.ExpiresAt.Value) < updated.StoredPreviousKeyEnd)
            {
                updated.StoredPreviousKeyEnd = UnixTime.ToMilliseconds(updated.ExpiresAt.Value);
                updated.PreviousKeyExpiresAt = updated.ExpiresAt;
            }
            return PreviousKeyUpdate.Keep;
        }

        /// <summary>
        /// Inside a change's transaction: when the key holds a previous secret, records its end if it ran out (once) or if
        /// <paramref name="cause"/> ends it now (null: this change keeps it). True when the row's previous secret is to go.
        /// </summary>
        internal bool EndPreviousKey(ApiKey current, string? cause, long now)
        {
            long? end = current.StoredPreviousKeyEnd;
            if (end == null)
            {
                // Stryker disable once Boolean : with no previous secret, clearing it and keeping it write the same row, and the key shows none either way
                return false;
            }
            if (end <= now)
            {
                RecordGraceRanOut(current.Id, end.Value, now);
                return true;
            }
            if (cause == null)
            {
                return false;
            }
            long? lastUse = current.PreviousKeyLastUsedAt == null ? (long?)null : UnixTime.ToMilliseconds(current.PreviousKeyLastUsedAt.Value);
            // Verified through this store and not yet written (of this secret, unless another store reset the key since).
            lastUse = Latest(lastUse, grace.PendingUse(current.Id));
            Audit(AuditAction.GracePeriodEnded, current.Id, current.Name,
                details: $"Ended early by {cause}: the previous key stops working now, not at {UnixTime.Show(Time(end))}. {LastUse(lastUse)}");
            // Its uses not yet written can no longer be: the secret they were of is gone.
            grace.ForgetUse(current.Id);
            return true;
        }

        /// <summary>A grace period is for a key whose current secret works, and ends no later than the key.</summary>
        internal static void CheckGrace(ApiKey current, ApiKey updated, TimeSpan grace, long end, long now)
        {
            string key = $"The key with Id {current.Id} ('{current.Name}')";
            if (current.Revoked || current.ExpiresAt != null && UnixTime.ToMilliseconds(current.ExpiresAt.Value) <= now)
            {
                throw new ApiKeyException(ErrorIds.GracePeriodForInactiveKey, ApiKeyErrorCategory.InvalidArgument,
                    $"{key} is {(current.Revoked ? "revoked" : "expired")}: its current key does not work, and a grace period would make it work again. " +
                    "Reset it without a grace period.", current.Id);
            }
            if (updated.ExpiresAt != null && end > UnixTime.ToMilliseconds(updated.ExpiresAt.Value))
            {
                TimeSpan left = TimeSpan.FromSeconds(Math.Floor((UnixTime.ToMilliseconds(updated.ExpiresAt.Value) - now) / 1000.0));
                throw new ApiKeyException(ErrorIds.GracePeriodBeyondExpiry, ApiKeyErrorCategory.InvalidArgument,
                    $"{key} expires at {UnixTime.Show(updated.ExpiresAt)}, before a grace period of {GraceRules.Show(grace)} would end: the previous key " +
                    $"cannot outlive the key. Give at most {GraceRules.Show(left)}, or a later expiry with the reset.", GraceRules.Show(grace));
            }
        }

        /// <summary>The Reset row's details: what became of the replaced secret.</summary>
        internal static string? ResetDetails(ApiKey before, ApiKey after)
        {
            if (before.Revoked)
            {
                return "The key was revoked; reset un-revokes it.";
            }
            return after.StoredPreviousKeyEnd != null ? $"The previous key works until {UnixTime.Show(Time(after.StoredPreviousKeyEnd))}." : null;
        }

        /// <summary>The SetExpiry row's details, when the new expiry shortens the previous secret's grace period.</summary>
        internal static string? ExpiryDetails(ApiKey before, ApiKey after, bool reset) =>
            !reset && after.StoredPreviousKeyEnd != null && after.StoredPreviousKeyEnd < before.StoredPreviousKeyEnd
                ? $"The previous key now stops working then too, not at {UnixTime.Show(Time(before.StoredPreviousKeyEnd))}."
                : null;

        private static long? Latest(long? a, long? b) => a == null ? b : b == null ? a : Math.Max(a.Value, b.Value);

        private static string LastUse(long? last) =>
            last == null ? "It was not used after the reset." : $"It was last used at {UnixTime.Show(Time(last))}.";

        /// <summary>What a key object shows of its previous secret: only one that still works.</summary>
        internal static void ShowPreviousKey(ApiKey key, StoredKey row, long now)
        {
            key.StoredPreviousKeyEnd = row.PreviousKeyExpiresAt;
            if (row.PreviousKeyExpiresAt > now)
            {
                key.PreviousKeyExpiresAt = Time(row.PreviousKeyExpiresAt);
                key.PreviousKeyLastUsedAt = Time(row.PreviousKeyLastUsedAt);
            }
        }
    }
}
