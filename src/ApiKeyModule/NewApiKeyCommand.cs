using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.New, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(IssuedApiKey))]
    public sealed class NewApiKeyCommand : ApiKeyCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        public string Name { get; set; }

        [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyCollection]
        public object[] Allowlist { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                NameRules.Validate(Name);
                IReadOnlyList<AllowlistEntry> allowlist = AllowlistInput.Convert(Allowlist);
                if (!ShouldProcess($"'{Name}'", "Create API key"))
                {
                    return;
                }
                IssuedApiKey key = Store.Create(Name, allowlist);
                if (key.Allowlist.Count == 0)
                {
                    WriteWarning($"The key '{key.Name}' (Id {key.Id}) has an empty allowlist, which grants nothing. " +
                                 $"Grant access with: Set-ApiKey -Id {key.Id} -Allowlist @{{method='CALL'; resource='system.info'}}");
                }
                WriteObject(key);
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }
    }
}
