using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Get, "ApiKeyAuditLog", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(ApiKeyAuditEntry))]
    public sealed class GetApiKeyAuditLogCommand : ApiKeyCmdlet
    {
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";

        /// <summary>Only rows about these keys (they may have been deleted since).</summary>
        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("KeyId")]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[]? Id { get; set; }

        /// <summary>Only rows about these keys, read from the store each came from (Get-ApiKey output).</summary>
        [Parameter(ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        public ApiKey?[]? InputObject { get; set; }

        /// <summary>Only rows written after this time.</summary>
        [Parameter]
        public DateTime After { get; set; }

        /// <summary>Only rows written before this time.</summary>
        [Parameter]
        public DateTime Before { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                DateTime? after = IsBound(nameof(After)) ? After : (DateTime?)null;
                DateTime? before = IsBound(nameof(Before)) ? Before : (DateTime?)null;
                if (InputObject == null)
                {
                    Write(ExistingStore, Id, after, before);
                    return;
                }
                foreach (ApiKey? key in InputObject)
                {
                    if (key == null)
                    {
                        // A null in the list (-InputObject @($null)) names no key: there are no rows about it.
                        continue;
                    }
                    try
                    {
                        Write(StoreOf(key), new[] { key.Id }, after, before);
                    }
                    catch (ApiKeyException e) when (!e.IsStoreFailure)
                    {
                        WriteError(e);
                    }
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        private void Write(ApiKeyStore? store, int[]? ids, DateTime? after, DateTime? before)
        {
            foreach (ApiKeyAuditEntry entry in store?.ReadAuditLog(ids, after, before) ?? Array.Empty<ApiKeyAuditEntry>())
            {
                WriteObject(entry);
            }
        }
    }
}
