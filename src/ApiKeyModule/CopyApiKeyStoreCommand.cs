using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>Copies the whole store (-StorePath, or the default) into an empty store at -Destination.</summary>
    [Cmdlet(VerbsCommon.Copy, "ApiKeyStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ApiKeyStoreCopy))]
    public sealed class CopyApiKeyStoreCommand : ApiKeyCmdlet
    {
        private const string Activity = "Copying the API key store";

        /// <summary>A file path (created when missing), or a PostgreSQL connection string or URI.</summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Destination { get; set; } = "";

        /// <summary>Who to connect to a PostgreSQL destination as.</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? DestinationCredential { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                ApiKeyStore source = ExistingStore ?? throw new ApiKeyException(CmdletErrorIds.SourceStoreNotFound, ApiKeyErrorCategory.ObjectNotFound,
                    $"There is no store at '{StoreLocation.Resolve(SourceLocation())}' to copy. Nothing was created. " +
                    "Give the store to copy with -StorePath, or create keys in it first.", StorePath);
                string destination = DestinationLocation();
                if (!ShouldProcess($"from '{source.Path}' to '{Shown(destination)}'", "Copy API key store"))
                {
                    return;
                }
                using (ApiKeyStore target = ApiKeyStore.Open(destination, DestinationCredential?.GetNetworkCredential()))
                {
                    ApiKeyStoreCopy copy = source.CopyTo(target, WriteProgress);
                    WriteProgress(new ProgressRecord(0, Activity, "Done") { RecordType = ProgressRecordType.Completed });
                    WriteObject(copy);
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        private void WriteProgress(ApiKeyStoreCopyProgress progress)
        {
            string what = progress.IsAuditLog ? "audit entries" : "keys";
            int percent = progress.Total == 0 ? 100 : (int)Math.Min(100, progress.Done * 100 / progress.Total);
            WriteProgress(new ProgressRecord(0, Activity, $"Copying {what} {progress.Done}/{progress.Total}") { PercentComplete = percent });
        }

        private string? SourceLocation() =>
            StorePath == null || StoreAddress.IsPostgres(StorePath) ? StorePath : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StorePath);

        /// <summary>A relative path resolves against the current location, as -StorePath does.</summary>
        private string DestinationLocation()
        {
            if (StoreAddress.IsPostgres(Destination))
            {
                return Destination;
            }
            try
            {
                return SessionState.Path.GetUnresolvedProviderPathFromPSPath(Destination);
            }
            catch (Exception e) when (e is ItemNotFoundException || e is ProviderNotFoundException || e is DriveNotFoundException || e is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(e, CmdletErrorIds.DestinationInvalid, ErrorCategory.InvalidArgument, Destination));
                // Not reached: ThrowTerminatingError throws.
                throw;
            }
        }

        /// <summary>Where the copy goes, as it may be shown: a connection string without its password.</summary>
        private static string Shown(string destination)
        {
            if (!StoreAddress.IsPostgres(destination))
            {
                return destination;
            }
            try
            {
                return PostgresConnectionString.Describe(StoreAddress.ToConnectionString(destination));
            }
            catch (Exception e) when (e is ArgumentException || e is FormatException)
            {
                // Opening it reports what is wrong; until then nothing of it is shown.
                return "(connection string)";
            }
        }
    }
}
