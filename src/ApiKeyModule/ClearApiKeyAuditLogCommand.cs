using System;
using System.Globalization;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Clear, "ApiKeyAuditLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    public sealed class ClearApiKeyAuditLogCommand : ApiKeyCmdlet
    {
        /// <summary>Entries whose last event is before this time are removed; it may not be in the future.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        public DateTime Before { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                // A bad bound is refused whether or not there is a store.
                ApiKeyStore.ValidateAuditBound(Before);
                ApiKeyStore? store = ExistingStore;
                if (store == null)
                {
                    return;
                }
                long count = store.CountAuditLog(Before);
                string bound = UnixTime.Show(UnixTime.Normalize(Before));
                if (ShouldProcess(store.Path, $"Remove the {count.ToString("N0", CultureInfo.InvariantCulture)} audit entries written before {bound}"))
                {
                    long removed = store.ClearAuditLog(Before);
                    WriteVerbose($"Removed {removed.ToString("N0", CultureInfo.InvariantCulture)} audit entries written before {bound} from '{store.Path}'; " +
                                 "a ClearAuditLog entry records it.");
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }
    }
}
