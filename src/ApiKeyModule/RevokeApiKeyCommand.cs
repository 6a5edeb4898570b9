using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsSecurity.Revoke, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(ApiKey))]
    public sealed class RevokeApiKeyCommand : KeysCmdlet
    {
        /// <summary>
        /// Why the key is revoked; kept on the key (RevokedReason) and in the audit log. At most 500 characters, no format
        /// characters; control characters are kept escaped.
        /// </summary>
        [Parameter]
        public string? Reason { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                // A bad reason is bad for every key: stop before the first, as Set-ApiKey does for a bad name.
                ReasonRules.Validate(Reason);
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        protected override void ProcessRecord() => ChangeEach(SelectedKeys(), "Revoke API key", target =>
        {
            ApiKey revoked = target.Store.Revoke(target.Key, Reason);
            if (PassThru)
            {
                WriteObject(revoked);
            }
        });
    }
}
