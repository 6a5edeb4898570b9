using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Remove, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = IdSet)]
    [OutputType(typeof(void))]
    public sealed class RemoveApiKeyCommand : ApiKeyCmdlet
    {
        private const string IdSet = "Id";
        private const string InputObjectSet = "InputObject";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; }

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
        public ApiKey[] InputObject { get; set; }

        protected override void ProcessRecord()
        {
            foreach (int id in ParameterSetName == InputObjectSet ? Ids(InputObject) : Id)
            {
                Remove(id);
            }
        }

        private void Remove(int id)
        {
            try
            {
                ApiKey current = Store.Get(id) ?? throw ApiKeyStore.NotFound(id);
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
