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
            // -Name takes wildcards: a name holding '[', ']', '*' or '?' is inserted escaped, so that it finds itself.
            bool literal = string.Equals(parameterName, "LiteralName", StringComparison.OrdinalIgnoreCase);
            Func<string, bool> matches = name => name.StartsWith(word, StringComparison.OrdinalIgnoreCase);
            string prefix = word;
            // What is typed so far is a pattern, unless it is not a whole one yet ("br["): then it is the start of a name.
            var pattern = WildcardPattern.Get(word + "*", WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            if (!literal && KeyCompletion.IsValid(pattern))
            {
                matches = pattern.IsMatch;
                prefix = KeyNames.LiteralPrefix(word);
            }
            foreach (ApiKey key in KeyCompletion.Keys(commandName, fakeBoundParameters, store => store.ListByNamePrefix(prefix)))
            {
                if (matches(key.Name))
                {
                    string argument = literal ? key.Name : WildcardPattern.Escape(key.Name);
                    yield return new CompletionResult(KeyCompletion.Quote(argument), key.Name, CompletionResultType.ParameterValue, $"Id {key.Id}");
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

        public static IEnumerable<ApiKey> Keys(string commandName, IDictionary? boundParameters, Func<ApiKeyStore, IEnumerable<ApiKey>> query)
        {
            var keys = new List<ApiKey>();
            try
            {
                object? credential = boundParameters?["Credential"];
                var given = (credential is PSObject wrapped ? wrapped.BaseObject : credential) as PSCredential;
                using (ApiKeyStore? store = ApiKeyStore.OpenIfExists(StorePath(commandName, boundParameters), given?.GetNetworkCredential(), BusyTimeout))
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

        public static bool IsValid(WildcardPattern pattern)
        {
            try
            {
                pattern.IsMatch("");
                return true;
            }
            catch (WildcardPatternException)
            {
                return false;
            }
        }

        public static string Unquote(string? word) => (word ?? "").Trim('\'', '"');

        /// <summary>
        /// A plain word as it is; anything else single-quoted with PowerShell's own escaping, which also doubles the
        /// typographic quotes (U+2018 to U+201B) that end a single-quoted string as "'" does.
        /// </summary>
        public static string Quote(string text) =>
            IsPlainWord(text) ? text : "'" + CodeGeneration.EscapeSingleQuotedStringContent(text) + "'";

        // A letter or '_', then letters, digits, '_', '.' or '-': nothing PowerShell reads as a number, operator or parameter.
        private static bool IsPlainWord(string text)
        {
            if (text.Length == 0 || !(IsAsciiLetter(text[0]) || text[0] == '_'))
            {
                return false;
            }
            foreach (char c in text)
            {
                if (!(IsAsciiLetter(c) || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-'))
                {
                    return false;
                }
            }
            return true;
        }

        private static bool IsAsciiLetter(char c) => c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';

        // The cmdlet's own rules: -StorePath as typed, else $PSDefaultParameterValues, resolved against the current
        // location. Run as script in the current runspace: a completer may not call SessionStateProxy while typing.
        private const string ResolveStorePath = @"
param($commandName, $typed)
if ($null -eq $typed) {
    foreach ($entry in $PSDefaultParameterValues.GetEnumerator()) {
        $command, $parameter = ""$($entry.Key)"" -split ':', 2
        if ($parameter -in 'StorePath', 'ConnectionString' -and $commandName -like $command -and $entry.Value -isnot [scriptblock]) { $typed = $entry.Value }
    }
}
if ($null -ne $typed -and $typed -isnot [scriptblock]) {
    # A connection string or URI is taken as it is; a path resolves against the current location.
    if ([string]$typed -match '=|://') { [string]$typed } else { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$typed) }
}
";

        private static string? StorePath(string commandName, IDictionary? boundParameters)
        {
            using (var shell = PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                shell.AddScript(ResolveStorePath).AddArgument(commandName).AddArgument(boundParameters?["StorePath"] ?? boundParameters?["ConnectionString"]);
                foreach (PSObject result in shell.Invoke())
                {
                    return result?.BaseObject as string;
                }
                return null;
            }
        }
    }
}
