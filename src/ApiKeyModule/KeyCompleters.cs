using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ApiKeyModule.Commands
{
    /// <summary>Completes -Name with the names of the keys in the store named on the command line (or the default one).</summary>
    public sealed class KeyNameCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = KeyCompletion.Unquote(wordToComplete);
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            foreach (ApiKey key in KeyCompletion.Keys(commandName, fakeBoundParameters, store => store.ListByNamePrefix(word)))
            {
                if (pattern.IsMatch(key.Name))
                {
                    yield return new CompletionResult(KeyCompletion.Quote(key.Name), key.Name, CompletionResultType.ParameterValue, $"Id {key.Id}");
                }
            }
        }
    }

    /// <summary>Completes -Id with the ids of the keys in the store, each with its name as the tooltip.</summary>
    public sealed class KeyIdCompleter : IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            string word = KeyCompletion.Unquote(wordToComplete);
            foreach (ApiKey key in KeyCompletion.Keys(commandName, fakeBoundParameters, store => store.List()))
            {
                string id = key.Id.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (id.StartsWith(word, StringComparison.Ordinal))
                {
                    yield return new CompletionResult(id, $"{id} {key.Name}", CompletionResultType.ParameterValue, key.Name);
                }
            }
        }
    }

    internal static class KeyCompletion
    {
        // Tab completion must not hang on a busy store nor create one.
        private static readonly TimeSpan BusyTimeout = TimeSpan.FromSeconds(1);

        public static IEnumerable<ApiKey> Keys(string commandName, IDictionary boundParameters, Func<ApiKeyStore, IEnumerable<ApiKey>> query)
        {
            var keys = new List<ApiKey>();
            try
            {
                using (ApiKeyStore store = ApiKeyStore.OpenIfExists(StorePath(commandName, boundParameters), BusyTimeout))
                {
                    if (store != null)
                    {
                        keys.AddRange(query(store));
                    }
                }
            }
            catch (Exception e) when (e is ApiKeyException || e is ArgumentException || e is System.IO.IOException || e is NotSupportedException || e is RuntimeException)
            {
                // No completions rather than an error in the middle of typing.
            }
            return keys;
        }

        public static string Unquote(string word) => (word ?? "").Trim('\'', '"');

        public static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '&', '|', '@', '#', '<', '>' }) < 0
                ? name
                : "'" + name.Replace("'", "''") + "'";

        // The cmdlet's own rules: -StorePath as typed, else $PSDefaultParameterValues, resolved against the current
        // location. Run as script in the current runspace: a completer may not call SessionStateProxy while typing.
        private const string ResolveStorePath = @"
param($commandName, $typed)
if ($null -eq $typed) {
    foreach ($entry in $PSDefaultParameterValues.GetEnumerator()) {
        $command, $parameter = ""$($entry.Key)"" -split ':', 2
        if ($parameter -eq 'StorePath' -and $commandName -like $command -and $entry.Value -isnot [scriptblock]) { $typed = $entry.Value }
    }
}
if ($null -ne $typed -and $typed -isnot [scriptblock]) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$typed) }
";

        private static string StorePath(string commandName, IDictionary boundParameters)
        {
            using (var shell = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                shell.AddScript(ResolveStorePath).AddArgument(commandName).AddArgument(boundParameters?["StorePath"]);
                foreach (PSObject result in shell.Invoke())
                {
                    return result?.BaseObject as string;
                }
                return null;
            }
        }
    }
}
