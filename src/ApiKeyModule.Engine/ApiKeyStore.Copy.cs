using System;

namespace ApiKeyModule
{
    public sealed partial class ApiKeyStore
    {
        private const int ProgressEvery = 500;

        /// <summary>
        /// Copies this whole store into <paramref name="destination"/>, which must hold no key and no audit row: every key
        /// with its id, hash (so issued keys keep working there), revocation, expiry and last use, and every audit row with
        /// its id. This store is read in one snapshot (writers may go on meanwhile) and the destination written in one
        /// transaction, with a Copy audit row saying from where. The destination keeps its own identity, and gives new keys
        /// and audit rows ids above every id this store ever gave. Refused with DestinationNotEmpty (nothing written), or
        /// DestinationIsSource when the destination has this store's identity.
        /// </summary>
        /// <param name="destination">An empty store, opened by this process.</param>
        /// <param name="progress">Called as rows are copied (every few hundred, and at the end of each part).</param>
        public ApiKeyStoreCopy CopyTo(ApiKeyStore destination, Action<ApiKeyStoreCopyProgress>? progress = null)
        {
            if (destination == null)
            {
                throw new ArgumentNullException(nameof(destination));
            }
            if (destination.Id == Id)
            {
                throw new ApiKeyException(ErrorIds.DestinationIsSource, ApiKeyErrorCategory.InvalidArgument,
                    $"The destination '{destination.Path}' is the store being copied (store id {Id}), or a file copy of it. Give another destination.",
                    destination.Path);
            }
            // Uses and failures this store has verified but not yet written belong in the copy.
            FlushRecorded();
            ApiKeyStoreCopy copied = backend.Snapshot(() =>
            {
                StoreExtent extent = backend.ReadExtent();
                return destination.backend.Write(() => destination.Fill(this, extent, progress));
            });
            destination.ForgetVerifiedKeys();
            return copied;
        }

        /// <summary>Inside this store's write transaction and the source's snapshot.</summary>
        private ApiKeyStoreCopy Fill(ApiKeyStore source, StoreExtent extent, Action<ApiKeyStoreCopyProgress>? progress)
        {
            if (!backend.LockIfEmpty())
            {
                throw new ApiKeyException(ErrorIds.DestinationNotEmpty, ApiKeyErrorCategory.ResourceExists,
                    $"The destination '{Path}' already holds keys or audit entries, and a copy goes only into an empty store. Nothing was written. " +
                    "Give a new file or schema, or remove the destination first.", Path);
            }
            long keys = 0;
            foreach (KeyRowAsIs row in source.backend.ReadKeysAsIs())
            {
                backend.InsertKeyAsIs(row);
                Report(progress, false, ++keys, extent.Keys);
            }
            progress?.Invoke(new ApiKeyStoreCopyProgress(false, keys, extent.Keys));
            long audit = 0;
            foreach (AuditRecord row in source.backend.ReadAuditAsIs())
            {
                backend.InsertAuditAsIs(row);
                Report(progress, true, ++audit, extent.AuditRows);
            }
            progress?.Invoke(new ApiKeyStoreCopyProgress(true, audit, extent.AuditRows));
            backend.RaiseIdHighWater(extent.KeyIdHighWater, extent.AuditIdHighWater);
            Audit(AuditAction.Copy, null, null,
                details: $"Copied from '{source.Path}' (store id {source.Id}): {keys} keys and {audit} audit entries.");
            return new ApiKeyStoreCopy(source, this, keys, audit);
        }

        private static void Report(Action<ApiKeyStoreCopyProgress>? progress, bool auditLog, long done, long total)
        {
            if (progress != null && done % ProgressEvery == 0)
            {
                progress(new ApiKeyStoreCopyProgress(auditLog, done, total));
            }
        }
    }
}
