using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System;

namespace ApiKeyModule.Commands
{
    /// <summary>Finds keys by -Name (wildcards, case-insensitive) or -LiteralName, as the *-Item cmdlets do with paths.</summary>
    internal static class KeyNames
    {
        /// <summary>
        /// The keys <paramref name="name"/> names in <paramref name="store"/> (null: no store yet, so none). A literal name,
        /// or a name without wildcards, that matches nothing is ApiKeyNotFound; a pattern that matches nothing finds none.
        /// </summary>
        public static IEnumerable<ApiKey> Match(ApiKeyStore? store, string name, bool literal)
        {
            if (literal || !WildcardPattern.ContainsWildcardCharacters(name))
            {
                string exact = literal ? name : WildcardPattern.Unescape(name);
                return new[] { store?.GetByName(exact) ?? throw ApiKeyStore.NotFound(exact) };
            }
            var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
            try
            {
                pattern.IsMatch("");
            }
            catch (WildcardPatternException e)
            {
                string shown = SafeText.Escape(name);
                throw new ApiKeyException(CmdletErrorIds.InvalidWildcardPattern, ApiKeyErrorCategory.InvalidArgument,
                    $"'{shown}' is not a valid wildcard pattern: {SafeText.Escape(e.Message.TrimEnd('.'))}. Escape '[' and ']' with a backtick " +
                    "to match them literally, or give the name with -LiteralName.", shown, e);
            }
            return (store?.ListByNamePrefix(LiteralPrefix(name)) ?? Array.Empty<ApiKey>()).Where(key => pattern.IsMatch(key.Name));
        }

        /// <summary>The text before the first wildcard character, so the store can narrow the search by its name index.</summary>
        internal static string LiteralPrefix(string pattern)
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
