using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsSecurity.Revoke, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(ApiKey))]
    public sealed class RevokeApiKeyCommand : KeysCmdlet
    {
        /// <summary>Why the key is revoked; kept on the key (RevokedReason) and in the audit log.</summary>
        [Parameter]
        public string Reason { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (KeyInStore target in SelectedKeys())
            {
                try
                {
                    if (!ShouldProcess(target.ToString(), "Revoke API key"))
                    {
                        continue;
                    }
                    ApiKey revoked = target.Store.Revoke(target.Key, Reason);
                    if (PassThru)
                    {
                        WriteObject(revoked);
                    }
                }
                catch (ApiKeyException e)
                {
                    WriteError(e);
                }
            }
        }
    }
}
