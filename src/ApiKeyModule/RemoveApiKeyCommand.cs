using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Remove, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveApiKeyCommand : KeysCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (KeyInStore target in SelectedKeys())
            {
                try
                {
                    if (ShouldProcess(target.ToString(), "Remove API key"))
                    {
                        target.Store.Delete(target.Key);
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
