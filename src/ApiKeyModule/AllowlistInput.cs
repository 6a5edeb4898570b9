using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// Turns what a user gives -Allowlist into entries: hashtables, objects with Method and Resource
    /// (Import-Csv, ConvertFrom-Json, another key's .Allowlist), or YAML/JSON text.
    /// </summary>
    internal static class AllowlistInput
    {
        public static IReadOnlyList<AllowlistEntry> Convert(object?[]? items)
        {
            var entries = new List<AllowlistEntry>();
            if (items == null)
            {
                return entries;
            }
            for (int i = 0; i < items.Length; i++)
            {
                object? item = items[i] is PSObject wrapped ? wrapped.BaseObject : items[i];
                switch (item)
                {
                    case AllowlistEntry entry:
                        entries.Add(entry);
                        break;
                    case string document when string.IsNullOrWhiteSpace(document):
                        // An empty cell (Import-Csv) means no entries, as @() does.
                        break;
                    case string document:
                        entries.AddRange(AllowlistDocument.Parse(document));
                        break;
                    case IDictionary table:
                        entries.Add(AllowlistRules.FromFields(Fields(table), i + 1));
                        break;
                    case IEnumerable nested:
                        // -Allowlist $a.Allowlist, $b.Allowlist: lists inside the list are joined.
                        entries.AddRange(Convert(nested.Cast<object>().ToArray()));
                        break;
                    case null:
                        throw new ApiKeyException(ErrorIds.InvalidAllowlistEntry, ApiKeyErrorCategory.InvalidArgument,
                            $"Allowlist entry {i + 1} is null. Give each entry as @{{method='CALL'; resource='system.info'}}.");
                    default:
                        if (item.GetType().IsPrimitive)
                        {
                            throw new ApiKeyException(ErrorIds.InvalidAllowlistEntry, ApiKeyErrorCategory.InvalidArgument,
                                $"Allowlist entry {i + 1} ({item}) is not an entry. Give each entry as @{{method='CALL'; resource='system.info'}}, or give YAML or JSON text.");
                        }
                        entries.Add(AllowlistRules.FromFields(Fields(PSObject.AsPSObject(items[i])), i + 1));
                        break;
                }
            }
            return AllowlistRules.Normalize(entries);
        }

        private static IEnumerable<KeyValuePair<string, object?>> Fields(IDictionary table)
        {
            foreach (DictionaryEntry field in table)
            {
                yield return new KeyValuePair<string, object?>(field.Key?.ToString() ?? "", Unwrap(field.Value));
            }
        }

        private static IEnumerable<KeyValuePair<string, object?>> Fields(PSObject item)
        {
            foreach (PSPropertyInfo property in item.Properties)
            {
                yield return new KeyValuePair<string, object?>(property.Name, Unwrap(property.Value));
            }
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;
    }
}
