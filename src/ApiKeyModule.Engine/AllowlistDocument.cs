using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>Reads an allowlist from YAML text, or from JSON as the TrueNAS CLI takes it.</summary>
    public static class AllowlistDocument
    {
        /// <summary>The longest text read, in characters (1 MiB); longer is AllowlistDocumentTooLarge.</summary>
        public const int MaxLength = SafeYaml.MaxLength;

        /// <summary>The most entries an allowlist may have; more is AllowlistDocumentTooComplex.</summary>
        public const int MaxEntries = 10_000;

        private const string Example = "[{\"method\":\"CALL\",\"resource\":\"system.info\"}] or:\n- method: CALL\n  resource: system.info";
        private static readonly YamlDocumentKind Kind = YamlDocumentKind.Allowlist;

        /// <summary>
        /// Parses a list of entries with method and resource; repeated entries are dropped.
        /// Throws <see cref="ApiKeyException"/> on any problem with the text.
        /// </summary>
        public static IReadOnlyList<AllowlistEntry> Parse(string text)
        {
            YamlNode? root = SafeYaml.Load(text, Kind);
            if (root == null || root.IsNull)
            {
                throw SafeYaml.Invalid(Kind, $"The allowlist document is empty. Give a YAML or JSON list of entries, for example {Example}");
            }
            return FromNode(root);
        }

        /// <summary>The entries of a list node (the whole document, or a field of a larger one).</summary>
        internal static IReadOnlyList<AllowlistEntry> FromNode(YamlNode list)
        {
            if (list.Kind != NodeKind.Sequence)
            {
                throw SafeYaml.Invalid(Kind, $"The allowlist is {SafeYaml.Describe(list)}, but it must be a list of entries with method and resource, for example {Example}");
            }
            if (list.Children.Count > MaxEntries)
            {
                throw SafeYaml.TooComplex(Kind, $"The allowlist has {SafeYaml.Count(list.Children.Count)} entries; the limit is {SafeYaml.Count(MaxEntries)}.");
            }
            var entries = new List<AllowlistEntry>(list.Children.Count);
            for (int i = 0; i < list.Children.Count; i++)
            {
                entries.Add(ReadEntry(list.Children[i], i + 1));
            }
            return AllowlistRules.Normalize(entries);
        }

        private static AllowlistEntry ReadEntry(YamlNode node, int index)
        {
            if (node.Kind != NodeKind.Mapping)
            {
                throw AllowlistRules.Invalid($"Allowlist entry {index} ({SafeYaml.At(node.Start)}) is {SafeYaml.Describe(node)}, not an entry. Write each entry as a mapping with method and resource, like {{\"method\":\"CALL\",\"resource\":\"system.info\"}}.");
            }
            // Stryker disable once Arithmetic : the capacity only sizes the list's first buffer; any value gives the same fields.
            var fields = new List<KeyValuePair<string, object?>>(node.Children.Count / 2);
            for (int i = 0; i < node.Children.Count; i += 2)
            {
                YamlNode key = node.Children[i], value = node.Children[i + 1];
                if (key.Kind != NodeKind.Scalar)
                {
                    throw AllowlistRules.Invalid($"Allowlist entry {index} ({SafeYaml.At(key.Start)}) has {SafeYaml.Describe(key)} as a field name; an entry has only 'method' and 'resource'.");
                }
                object? fieldValue = value.Kind != NodeKind.Scalar ? value.Children : value.IsNull ? null : value.Text;
                fields.Add(new KeyValuePair<string, object?>(key.Text, fieldValue));
            }
            return AllowlistRules.FromFields(fields, index);
        }
    }
}
