using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>A cmdlet that acts on one key, given by -Id or piped in as a key object (which acts on its own store).</summary>
    public abstract class SingleKeyCmdlet : ApiKeyCmdlet
    {
        protected const string IdSet = "Id";
        protected const string InputObjectSet = "InputObject";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int Id { get; set; }

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
        public ApiKey? InputObject { get; set; }

        /// <summary>The key given, as its store holds it now; ApiKeyNotFound or KeyFromOtherStore when it cannot be had.</summary>
        internal KeyInStore SelectedKey() => FindKey(ParameterSetName == InputObjectSet ? InputObject : null, Id);

        /// <summary>Writes a key as updated: when it was reset (its new key is shown once), or with -PassThru.</summary>
        internal void WriteUpdated(ApiKey updated, ApiKeyChanges changes, bool passThru)
        {
            if (changes.Allowlist != null)
            {
                WarnIfGrantsNothing(updated);
            }
            if (updated is IssuedApiKey || passThru)
            {
                WriteObject(updated);
            }
        }

        /// <summary>The key given, or none when it cannot be had (reported, non-terminating).</summary>
        internal IEnumerable<KeyInStore> SelectedKeys()
        {
            KeyInStore? found = Found(SelectedKey);
            return found == null ? Enumerable.Empty<KeyInStore>() : new[] { found };
        }
    }

    /// <summary>A cmdlet that acts on each of several keys: by -Id, -Name, -LiteralName, or piped in as key objects.</summary>
    public abstract class KeysCmdlet : ApiKeyCmdlet
    {
        protected const string IdSet = "Id";
        protected const string InputObjectSet = "InputObject";
        protected const string NameSet = "Name";
        protected const string LiteralNameSet = "LiteralName";

        [Parameter(ParameterSetName = IdSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(KeyIdCompleter))]
        public int[] Id { get; set; } = Array.Empty<int>();

        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true, ValueFromPipeline = true)]
        public ApiKey[] InputObject { get; set; } = Array.Empty<ApiKey>();

        /// <summary>Names or wildcard patterns (case-insensitive); each key that matches is confirmed on its own.</summary>
        [Parameter(ParameterSetName = NameSet, Mandatory = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyNameCompleter))]
        public string[] Name { get; set; } = Array.Empty<string>();

        /// <summary>Names taken exactly as written: '[', ']', '*' and '?' are part of the name.</summary>
        [Parameter(ParameterSetName = LiteralNameSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(KeyNameCompleter))]
        public string[] LiteralName { get; set; } = Array.Empty<string>();

        /// <summary>
        /// Each key given, as its store holds it now. A key that cannot be had is reported (non-terminating) and skipped;
        /// a failure of the store itself stops the command.
        /// </summary>
        internal IEnumerable<KeyInStore> SelectedKeys()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet:
                    // OfType drops the keys not found (Found reported them).
                    return InputObject.Select(key => Found(() => FindKey(key, 0))).OfType<KeyInStore>();
                case NameSet:
                case LiteralNameSet:
                    return Named(ParameterSetName == LiteralNameSet ? LiteralName : Name, ParameterSetName == LiteralNameSet);
                default:
                    return Id.Select(id => Found(() => FindKey(null, id))).OfType<KeyInStore>();
            }
        }

        private IEnumerable<KeyInStore> Named(string[] names, bool literal)
        {
            var seen = new HashSet<int>();
            foreach (string name in names)
            {
                // Read all matches before changing any: a change must not run while the same connection is still reading.
                List<ApiKey> matches = Found(() => KeyNames.Match(ExistingStore, name, literal).ToList()) ?? new List<ApiKey>();
                foreach (ApiKey key in matches)
                {
                    if (seen.Add(key.Id))
                    {
                        yield return new KeyInStore(Store, key);
                    }
                }
            }
        }
    }
}
