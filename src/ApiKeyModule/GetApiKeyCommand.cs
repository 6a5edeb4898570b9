using System.Collections.Generic;
using System.Management.Automation;
using System.Text;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Get, "ApiKey", DefaultParameterSetName = NameSet)]
    [OutputType(typeof(ApiKey))]
    public sealed class GetApiKeyCommand : ApiKeyCmdlet
    {
        private const string NameSet = "Name";
        private const string IdSet = "Id";

        [Parameter(ParameterSetName = NameSet, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyNameCompleter))]
        public string[] Name { get; set; }

        [Parameter(ParameterSetName = IdSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; }

        protected override void ProcessRecord()
        {
            try
            {
                // Null where there is no store yet: then there are no keys.
                ApiKeyStore keys = ExistingStore;
                if (ParameterSetName == IdSet)
                {
                    WriteById(keys);
                }
                else if (Name == null)
                {
                    foreach (ApiKey key in keys?.List() ?? new ApiKey[0])
                    {
                        WriteObject(key);
                    }
                }
                else
                {
                    WriteByName(keys);
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        private void WriteById(ApiKeyStore keys)
        {
            foreach (int id in Id)
            {
                ApiKey key = keys?.Get(id);
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

        private void WriteByName(ApiKeyStore keys)
        {
            var written = new HashSet<int>();
            foreach (string name in Name)
            {
                if (!WildcardPattern.ContainsWildcardCharacters(name))
                {
                    string literal = WildcardPattern.Unescape(name);
                    ApiKey key = keys?.GetByName(literal);
                    if (key == null)
                    {
                        WriteError(ApiKeyStore.NotFound(literal));
                    }
                    else if (written.Add(key.Id))
                    {
                        WriteObject(key);
                    }
                    continue;
                }
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                try
                {
                    pattern.IsMatch("");
                }
                catch (WildcardPatternException e)
                {
                    WriteError(new ErrorRecord(e, "InvalidWildcardPattern", ErrorCategory.InvalidArgument, name)
                    {
                        ErrorDetails = new ErrorDetails($"'{name}' is not a valid wildcard pattern: {e.Message} Escape '[' and ']' with a backtick to match them literally."),
                    });
                    continue;
                }
                foreach (ApiKey key in keys?.ListByNamePrefix(LiteralPrefix(name)) ?? new ApiKey[0])
                {
                    if (pattern.IsMatch(key.Name) && written.Add(key.Id))
                    {
                        WriteObject(key);
                    }
                }
            }
        }

        /// <summary>The text before the first wildcard character, so the store can narrow the search by its name index.</summary>
        private static string LiteralPrefix(string pattern)
        {
            var prefix = new StringBuilder();
            for (int i = 0; i < pattern.Length; i++)
            {
                char c = pattern[i];
                if (c == '`' && i + 1 < pattern.Length)
                {
                    prefix.Append(pattern[++i]);
                }
                else if (c == '*' || c == '?' || c == '[')
                {
                    break;
                }
                else
                {
                    prefix.Append(c);
                }
            }
            return prefix.ToString();
        }
    }
}
