using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Remove, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveApiKeyCommand : KeysCmdlet
    {
        protected override void ProcessRecord()
        {
            foreach (int id in SelectedIds())
            {
                Remove(id);
            }
        }

        private void Remove(int id)
        {
            try
            {
                ApiKey current = ExistingStore?.Get(id) ?? throw ApiKeyStore.NotFound(id);
                if (ShouldProcess(Describe(current), "Remove API key"))
                {
                    Store.Delete(id);
                }
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }
    }
}
