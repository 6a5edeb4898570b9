using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsSecurity.Revoke, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
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
            foreach (int id in SelectedIds())
            {
                try
                {
                    ApiKey current = ExistingStore?.Get(id) ?? throw ApiKeyStore.NotFound(id);
                    if (!ShouldProcess(Describe(current), "Revoke API key"))
                    {
                        continue;
                    }
                    ApiKey revoked = Store.Revoke(id, Reason);
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
