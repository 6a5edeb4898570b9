using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Get, "ApiKey", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(ApiKey))]
    public sealed class GetApiKeyCommand : ApiKeyCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";
        private const string LiteralNameSet = "LiteralName";

        [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyNameCompleter))]
        public string[]? Name { get; set; }

        /// <summary>Names taken exactly as written: '[', ']', '*' and '?' are part of the name.</summary>
        [Parameter(ParameterSetName = LiteralNameSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyNameCompleter))]
        public string[] LiteralName { get; set; } = Array.Empty<string>();

        [Parameter(ParameterSetName = IdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; } = Array.Empty<int>();

        protected override void ProcessRecord()
        {
            try
            {
                // Null where there is no store yet: then there are no keys.
                ApiKeyStore? keys = ExistingStore;
                if (ParameterSetName == IdSet)
                {
                    WriteById(keys);
                }
                else if (ParameterSetName == LiteralNameSet)
                {
                    WriteByName(keys, LiteralName, literal: true);
                }
                else if (Name == null)
                {
                    foreach (ApiKey key in keys?.List() ?? Array.Empty<ApiKey>())
                    {
                        WriteObject(key);
                    }
                }
                else
                {
                    WriteByName(keys, Name, literal: false);
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        private void WriteById(ApiKeyStore? keys)
        {
            foreach (int id in Id)
            {
                ApiKey? key = keys?.Get(id);
                if (key == null)
                {
                    WriteError(ApiKeyStore.NotFound(id));
                }
                else
                {
                    WriteObject(key);
                }
            }
        }

        private void WriteByName(ApiKeyStore? keys, string[] names, bool literal)
        {
            var written = new HashSet<int>();
            foreach (string name in names)
            {
                IEnumerable<ApiKey> matches;
                try
                {
                    matches = KeyNames.Match(keys, name, literal);
                }
                catch (ApiKeyException e)
                {
                    WriteError(e);
                    continue;
                }
                foreach (ApiKey key in matches)
                {
                    if (written.Add(key.Id))
                    {
                        WriteObject(key);
                    }
                }
            }
        }
    }
}
