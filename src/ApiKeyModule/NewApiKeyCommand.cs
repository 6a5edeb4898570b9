using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.New, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IssuedApiKey))]
    public sealed class NewApiKeyCommand : ApiKeyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Name { get; set; } = "";

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyCollection]
        public object?[]? Allowlist { get; set; }

        /// <summary>When the key stops working (a local time unless its Kind is Utc); it must lie in the future.</summary>
        [Parameter]
        public DateTime ExpiresAt { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                NameRules.Validate(Name);
                IReadOnlyList<AllowlistEntry> allowlist = AllowlistInput.Convert(Allowlist);
                DateTime? expiresAt = IsBound(nameof(ExpiresAt)) ? ExpiryRules.Validate(ExpiresAt) : null;
                if (!ShouldProcess($"'{Name}'", "Create API key"))
                {
                    return;
                }
                WriteCreated(Store.Create(Name, allowlist, expiresAt));
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }
    }
}
