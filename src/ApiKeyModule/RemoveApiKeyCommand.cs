using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Remove, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveApiKeyCommand : KeysCmdlet
    {
        protected override void ProcessRecord() => ChangeEach(SelectedKeys(), "Remove API key", target => target.Store.Delete(target.Key));
    }
}
