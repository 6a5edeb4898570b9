using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>A cmdlet that acts on one key, given by -Id or piped in as a key object.</summary>
    public abstract class SingleKeyCmdlet : ApiKeyCmdlet
    {
        protected const string IdSet = "Id";
        protected const string InputObjectSet = "InputObject";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int Id { get; set; }

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
        public ApiKey InputObject { get; set; }

        protected int SelectedId => ParameterSetName == InputObjectSet ? InputObject.Id : Id;
    }

    /// <summary>A cmdlet that acts on each of several keys, given by -Id or piped in as key objects.</summary>
    public abstract class KeysCmdlet : ApiKeyCmdlet
    {
        protected const string IdSet = "Id";
        protected const string InputObjectSet = "InputObject";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; }

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
        public ApiKey[] InputObject { get; set; }

        protected IEnumerable<int> SelectedIds()
        {
            if (ParameterSetName != InputObjectSet)
            {
                return Id;
            }
            var ids = new List<int>(InputObject.Length);
            foreach (ApiKey key in InputObject)
            {
                ids.Add(key.Id);
            }
            return ids;
        }
    }
}
