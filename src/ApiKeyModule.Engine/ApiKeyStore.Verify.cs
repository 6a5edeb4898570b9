using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    public sealed partial class ApiKeyStore
    {
        private readonly VerificationCache verifiedKeys = new VerificationCache();
        // The answers that name no key are the same for every client: nothing is allocated per refused key.
        private static readonly ApiKeyVerification MalformedKey = new ApiKeyVerification(VerificationCode.Malformed);
        private static readonly ApiKeyVerification UnknownKey = new ApiKeyVerification(VerificationCode.NotFound);

        /// <summary>
        /// Checks a presented key, and with <paramref name="method"/> and <paramref name="resource"/> whether its allowlist
        /// allows the call. Failures are counted in memory and written to the audit log in batches (never the key), as last
        /// uses are (see ApiKeyStore.Recording.cs). Thread-safe for an <see cref="ApiKeyVerifier"/>'s store.
        /// </summary>
        public ApiKeyVerification Verify(string? presentedKey, string? method = null, string? resource = null)
        {
            if ((method == null) != (resource == null))
            {
                throw new ApiKeyException(ErrorIds.IncompleteRequest, ApiKeyErrorCategory.InvalidArgument,
                    "Give both the method and the resource to check authorization, or neither to check the key alone.");
            }
            if (method != null && !AllowlistEntry.IsRequestMethod(method))
            {
                string shown = AllowlistRules.Show(method);
                throw new ApiKeyException(ErrorIds.InvalidMethod, ApiKeyErrorCategory.InvalidArgument,
                    $"'{shown}' is not a request method. Use one of {string.Join(", ", AllowlistEntry.RequestMethods)}.", shown);
            }
            if (!PresentedKey.TryLocate(presentedKey, out int id, out int secretStart))
            {
                return Fail(VerificationCode.Malformed, null, null, method, resource);
            }
            byte[] hash = KeySecret.Hash(presentedKey, secretStart);
            VerifiedKey? key = Find(id);
            bool previous = false;
            if (key == null || !FixedTimeEquals(hash, key.Hash) && !(previous = MatchesPreviousKey(key, hash)))
            {
                // An id no key has is not kept: a client could otherwise make a group of failures per id it sends.
                return Fail(VerificationCode.NotFound, key != null ? id : (int?)null, null, method, resource);
            }
            string name = key.Name;
            long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
            NoticeGraceEnd(id, key, now);
            if (key.Revoked)
            {
                return Fail(VerificationCode.Revoked, id, name, method, resource);
            }
            if (ExpiryRules.HasExpired(key.ExpiresAt, now))
            {
                return Fail(VerificationCode.Expired, id, name, method, resource);
            }
            AllowlistEntry? allowedBy = null;
            if (method != null)
            {
                // The resource comes with the method: checked at the top.
                allowedBy = FindAllowing(key.Allowlist, method, resource!);
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
        /// hit: cheaper than the lookup it saves) and by this store's own changes to keys. A verifier's store reads
        /// through a connection of the caller's own, so that verifications run in parallel.
        /// </summary>
        private VerifiedKey? Find(int id)
        {
            IKeyReader reader = backend.RentReader();
            try
            {
                return verifiedKeys.Find(reader, id);
            }
            finally
            {
                backend.ReturnReader(reader);
            }
        }

        /// <summary>Readies the store for a long-lived verifier, which looks keys up at random from many threads and writes what it records in the background.</summary>
        internal void PrepareForVerification()
        {
            backend.PrepareForVerification();
            recordsInBackground = true;
        }

        /// <summary>For tests of a kind of store.</summary>
        internal IStoreBackend Backend => backend;

        /// <summary>Called by every change to keys made through this store: its own commits may leave the change version as it was.</summary>
        private void ForgetVerifiedKeys() => verifiedKeys.Forget();

        private static AllowlistEntry? FindAllowing(IReadOnlyList<AllowlistEntry> allowlist, string method, string resource)
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
            if (uses.Record(id, storedLastUse, now))
            {
                Recorded(now);
            }
        }

        /// <summary>Counts a failed verification with the call asked for, cut and escaped: it comes from the client.</summary>
        private ApiKeyVerification Fail(VerificationCode code, int? id, string? name, string? method, string? resource)
        {
            string details = method == null
                ? PendingFailures.Name(code)
                : PendingFailures.Name(code) + ": " + SafeText.Request(method.ToUpperInvariant(), resource);
            long now = UnixTime.ToMilliseconds(DateTime.UtcNow);
            failures.Add(id, name, code, details, now);
            Recorded(now);
            bool genuine = code != VerificationCode.Malformed && code != VerificationCode.NotFound;
            return genuine ? new ApiKeyVerification(code, id, name) : code == VerificationCode.Malformed ? MalformedKey : UnknownKey;
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
