using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Get, "ApiKeyAuditLog")]
    [OutputType(typeof(ApiKeyAuditEntry))]
    public sealed class GetApiKeyAuditLogCommand : ApiKeyCmdlet
    {
        /// <summary>Only rows about these keys (they may have been deleted since). Binds Id from Get-ApiKey output.</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [Alias("KeyId")]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; }

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
                foreach (ApiKeyAuditEntry entry in ExistingStore?.ReadAuditLog(Id, after, before) ?? new ApiKeyAuditEntry[0])
                {
                    WriteObject(entry);
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }
    }
}
