using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    public sealed partial class ApiKeyStore
    {
        // Last use is kept to within a minute without a durable write per verification: a use is recorded when the
        // key's last recorded use is 45 s old or more, and recorded uses are written together, at the latest 15 s
        // after the first of them (and when the store is read or closed).
        private const long LastUsedResolutionMs = 45_000;
        private const long TouchFlushMs = 15_000;
        private readonly Dictionary<int, long> pendingTouches = new Dictionary<int, long>();
        private readonly Dictionary<int, long> recordedTouches = new Dictionary<int, long>();
        private long firstPendingTouch;
        private static readonly string[] RequestMethods = { "GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE" };
        // Bounds the cache at a few MB however many keys are verified.
        private const int MaxVerifiedKeys = 65_536;
        private readonly Dictionary<int, VerifiedKey> verifiedKeys = new Dictionary<int, VerifiedKey>();
        private long cachedChangeVersion = -1;

        /// <summary>
        /// Checks a presented key, and with <paramref name="method"/> and <paramref name="resource"/> whether its allowlist
        /// allows the call. Failures are written to the audit log (never the key).
        /// </summary>
        public ApiKeyVerification Verify(string presentedKey, string method = null, string resource = null)
        {
            if ((method == null) != (resource == null))
            {
                throw new ApiKeyException("IncompleteRequest", ApiKeyErrorCategory.InvalidArgument,
                    "Give both the method and the resource to check authorization, or neither to check the key alone.");
            }
            if (method != null && Array.IndexOf(RequestMethods, method.ToUpperInvariant()) < 0)
            {
                string shown = AllowlistRules.Show(method);
                throw new ApiKeyException("InvalidMethod", ApiKeyErrorCategory.InvalidArgument,
                    $"'{shown}' is not a request method. Use one of {string.Join(", ", RequestMethods)}.", shown);
            }
            if (!PresentedKey.TryParse(presentedKey, out int id, out string secret))
            {
                return Fail(VerificationCode.Malformed, null, null, method, resource);
            }
            byte[] hash = KeySecret.Hash(secret);
            VerifiedKey key = Find(id);
            bool previous = false;
            if (key == null || !FixedTimeEquals(hash, key.Hash) && !(previous = MatchesPreviousKey(key, hash)))
            {
                return Fail(VerificationCode.NotFound, id, null, method, resource);
            }
            string name = key.Name;
            long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
            NoticeGraceEnd(id, key, now);
            if (key.Revoked)
            {
                return Fail(VerificationCode.Revoked, id, name, method, resource);
            }
            if (key.ExpiresAt <= now)
            {
                return Fail(VerificationCode.Expired, id, name, method, resource);
            }
            AllowlistEntry allowedBy = null;
            if (method != null)
            {
                allowedBy = FindAllowing(key.Allowlist, method, resource);
                if (allowedBy == null)
                {
                    return WithGrace(Fail(VerificationCode.Forbidden, id, name, method, resource), key, previous, now);
                }
            }
            RecordUse(id, key.LastUsedAt, now);
            if (previous)
            {
                RecordPreviousUse(id, key, now);
            }
            return WithGrace(new ApiKeyVerification(VerificationCode.Valid, id, name, allowedBy), key, previous, now);
        }

        /// <summary>
        /// The key with this id from the verification cache, or read (and cached) from the store; null when there is none.
        /// The cache is emptied when another connection has changed the store since it was filled (one cheap read per
        /// hit: cheaper than the lookup it saves) and by this store's own changes to keys.
        /// </summary>
        private VerifiedKey Find(int id)
        {
            // A hit is only as good as the cache: check it is current. A miss reads the row as it is now, which the
            // cache may hold under its (older or equal) version: a later change anywhere still empties it.
            if (verifiedKeys.TryGetValue(id, out VerifiedKey key))
            {
                long version = backend.ChangeVersion();
                if (version == cachedChangeVersion)
                {
                    return key;
                }
                verifiedKeys.Clear();
                cachedChangeVersion = version;
            }
            key = backend.ReadForVerification(id);
            if (key == null)
            {
                return null;
            }
            if (verifiedKeys.Count >= MaxVerifiedKeys)
            {
                verifiedKeys.Clear();
            }
            verifiedKeys.Add(id, key);
            return key;
        }

        /// <summary>Readies the store for a long-lived verifier, which looks keys up at random.</summary>
        internal void PrepareForVerification() => backend.PrepareForVerification();

        /// <summary>For tests of a kind of store.</summary>
        internal IStoreBackend Backend => backend;

        /// <summary>Called by every change to keys made through this store: its own commits may leave the change version as it was.</summary>
        private void ForgetVerifiedKeys() => verifiedKeys.Clear();

        private static AllowlistEntry FindAllowing(IReadOnlyList<AllowlistEntry> allowlist, string method, string resource)
        {
            foreach (AllowlistEntry entry in allowlist)
            {
                if (entry.Allows(method, resource))
                {
                    return entry;
                }
            }
            return null;
        }

        private void RecordUse(int id, long? storedLastUse, long now)
        {
            long known = storedLastUse ?? long.MinValue;
            if (recordedTouches.TryGetValue(id, out long recorded) && recorded > known)
            {
                known = recorded;
            }
            if (known != long.MinValue && now - known < LastUsedResolutionMs)
            {
                return;
            }
            StartBatch(now);
            pendingTouches[id] = now;
            recordedTouches[id] = now;
            if (now - firstPendingTouch >= TouchFlushMs)
            {
                FlushTouches();
            }
        }

        /// <summary>Writes the recorded uses in one transaction. Not inside another transaction.</summary>
        private void FlushTouches()
        {
            if (pendingTouches.Count == 0 && !GraceBookkeepingPending || backend.InTransaction)
            {
                return;
            }
            InTransaction<object>(null, () =>
            {
                backend.WriteLastUses(pendingTouches);
                WriteGraceBookkeeping();
                return null;
            });
            pendingTouches.Clear();
            GraceBookkeepingWritten();
        }

        /// <summary>Audits a failed verification with the call asked for, cut and escaped: it comes from the client.</summary>
        private ApiKeyVerification Fail(VerificationCode code, int? id, string name, string method, string resource)
        {
            string details = method == null ? code.ToString() : code + ": " + SafeText.Request(method.ToUpperInvariant(), resource);
            InTransaction<object>(null, () =>
            {
                Audit(AuditAction.VerificationFailed, id, name, details: details);
                return null;
            });
            bool genuine = code != VerificationCode.Malformed && code != VerificationCode.NotFound;
            return genuine ? new ApiKeyVerification(code, id, name) : new ApiKeyVerification(code);
        }

        private static bool FixedTimeEquals(byte[] a, ReadOnlySpan<byte> b)
        {
            if (a.Length != b.Length)
            {
                return false;
            }
            int difference = 0;
            for (int i = 0; i < a.Length; i++)
            {
                difference |= a[i] ^ b[i];
            }
            return difference == 0;
        }
    }
}
