using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ApiKeyModule
{
    /// <summary>Reads an allowlist from YAML text, or from JSON as the TrueNAS CLI takes it.</summary>
    public static class AllowlistDocument
    {
        public const int MaxLength = 1_048_576;
        public const int MaxEntries = 10_000;
        internal const int MaxNodes = 100_000;
        internal const int MaxDepth = 32;

        private const string CoreTagPrefix = "tag:yaml.org,2002:";
        private const string Example = "[{\"method\":\"CALL\",\"resource\":\"system.info\"}] or:\n- method: CALL\n  resource: system.info";
        private static readonly string[] ScalarTags = { "str", "int", "bool", "null", "float" };

        /// <summary>
        /// Parses a list of entries with method and resource; repeated entries are dropped.
        /// Throws <see cref="ApiKeyException"/> on any problem with the text.
        /// </summary>
        public static IReadOnlyList<AllowlistEntry> Parse(string text)
        {
            if (text != null && text.Length > MaxLength)
            {
                throw new ApiKeyException("AllowlistDocumentTooLarge", ApiKeyErrorCategory.InvalidArgument,
                    $"The allowlist document has {Count(text.Length)} characters; the limit is {Count(MaxLength)}.");
            }
            if (string.IsNullOrWhiteSpace(text))
            {
                throw Empty();
            }
            Node root = Load(text);
            if (root == null || (root.Kind == NodeKind.Scalar && root.IsNull))
            {
                throw Empty();
            }
            CheckSize(root);
            if (root.Kind != NodeKind.Sequence)
            {
                throw Invalid($"The allowlist document is {Describe(root)}, but it must be a list of entries with method and resource, for example {Example}");
            }
            if (root.Children.Count > MaxEntries)
            {
                throw TooComplex($"The allowlist document has {Count(root.Children.Count)} entries; the limit is {Count(MaxEntries)}.");
            }
            var entries = new List<AllowlistEntry>(root.Children.Count);
            for (int i = 0; i < root.Children.Count; i++)
            {
                entries.Add(ReadEntry(root.Children[i], i + 1));
            }
            return AllowlistRules.Normalize(entries);
        }

        private enum NodeKind { Scalar, Sequence, Mapping }

        // A mapping keeps its keys and values in Children as key, value, key, value...
        private sealed class Node
        {
            public Node(NodeKind kind, Mark start, string text = null, bool isNull = false)
            {
                Kind = kind;
                Start = start;
                Text = text;
                IsNull = isNull;
            }

            public NodeKind Kind { get; }
            public Mark Start { get; }
            public string Text { get; }
            public bool IsNull { get; }
            public List<Node> Children { get; } = new List<Node>(0);
        }

        // Builds the tree from parser events without recursion. The representation model (YamlStream) is not used:
        // it recurses per nesting level, allows self-referencing aliases and hashes mapping keys in full.
        private static Node Load(string text)
        {
            var parser = new Parser(new StringReader(text[0] == '\uFEFF' ? text.Substring(1) : text));
            var anchors = new Dictionary<string, Node>(StringComparer.Ordinal);
            var open = new Stack<(Node Node, AnchorName Anchor)>();
            Node root = null;
            int documents = 0, nodes = 0;

            void Attach(Node node)
            {
                if (++nodes > MaxNodes)
                {
                    throw TooManyNodes();
                }
                if (open.Count == 0)
                {
                    root = node;
                }
                else
                {
                    open.Peek().Node.Children.Add(node);
                }
            }

            void Open(NodeEvent start, NodeKind kind)
            {
                CheckTag(start, kind);
                if (open.Count >= MaxDepth)
                {
                    throw TooComplex($"The allowlist document nests more than {MaxDepth} levels deep ({At(start.Start)}).");
                }
                var node = new Node(kind, start.Start);
                Attach(node);
                open.Push((node, start.Anchor));
            }

            while (MoveNext(parser))
            {
                switch (parser.Current)
                {
                    case DocumentStart document:
                        if (++documents > 1)
                        {
                            throw Invalid($"The allowlist text holds more than one YAML document (another starts at {At(document.Start)}). Give one list of entries.");
                        }
                        break;
                    case Scalar scalar:
                        CheckTag(scalar, NodeKind.Scalar);
                        var node = new Node(NodeKind.Scalar, scalar.Start, scalar.Value, IsNull(scalar));
                        Attach(node);
                        if (!scalar.Anchor.IsEmpty)
                        {
                            anchors[scalar.Anchor.Value] = node;
                        }
                        break;
                    case SequenceStart sequence:
                        Open(sequence, NodeKind.Sequence);
                        break;
                    case MappingStart mapping:
                        Open(mapping, NodeKind.Mapping);
                        break;
                    case SequenceEnd _:
                    case MappingEnd _:
                        // Anchors are known only once complete, so an alias can never point into its own node.
                        var closed = open.Pop();
                        if (closed.Node.Kind == NodeKind.Mapping && closed.Node.Children.Count % 2 != 0)
                        {
                            // YamlDotNet drops an empty key in some block mappings ("- : x").
                            throw Invalid($"The allowlist document has a mapping with a key or a value missing ({At(closed.Node.Start)}).");
                        }
                        if (!closed.Anchor.IsEmpty)
                        {
                            anchors[closed.Anchor.Value] = closed.Node;
                        }
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out Node target))
                        {
                            throw Invalid($"The allowlist document uses the alias '*{AllowlistRules.Show(alias.Value.Value)}' ({At(alias.Start)}), but no complete node with that anchor comes before it.");
                        }
                        Attach(target);
                        break;
                }
            }
            return root;
        }

        private static bool MoveNext(Parser parser)
        {
            try
            {
                return parser.MoveNext();
            }
            catch (YamlException e)
            {
                throw Invalid($"The allowlist document is not valid YAML or JSON ({At(e.Start)}): {e.Message}", e);
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException)
            {
                // YamlDotNet reports some malformed input this way, with no position and no useful message.
                string near = parser.Current != null ? $" (after {At(parser.Current.End)})" : "";
                throw Invalid($"The allowlist document is not valid YAML or JSON{near}.", e);
            }
        }

        // Aliases share nodes, so the tree can stand for far more than the text shows (billion laughs).
        // Every use of a node counts, and the walk stops as soon as the budget is spent.
        private static void CheckSize(Node root)
        {
            var pending = new Stack<Node>();
            pending.Push(root);
            int seen = 1;
            while (pending.Count > 0)
            {
                foreach (Node child in pending.Pop().Children)
                {
                    if (++seen > MaxNodes)
                    {
                        throw TooManyNodes();
                    }
                    pending.Push(child);
                }
            }
        }

        private static AllowlistEntry ReadEntry(Node node, int index)
        {
            if (node.Kind != NodeKind.Mapping)
            {
                throw AllowlistRules.Invalid($"Allowlist entry {index} ({At(node.Start)}) is {Describe(node)}, not an entry. Write each entry as a mapping with method and resource, like {{\"method\":\"CALL\",\"resource\":\"system.info\"}}.");
            }
            var fields = new List<KeyValuePair<string, object>>(node.Children.Count / 2);
            for (int i = 0; i < node.Children.Count; i += 2)
            {
                Node key = node.Children[i], value = node.Children[i + 1];
                if (key.Kind != NodeKind.Scalar)
                {
                    throw AllowlistRules.Invalid($"Allowlist entry {index} ({At(key.Start)}) has {Describe(key)} as a field name; an entry has only 'method' and 'resource'.");
                }
                object fieldValue = value.Kind != NodeKind.Scalar ? value.Children : value.IsNull ? null : value.Text;
                fields.Add(new KeyValuePair<string, object>(key.Text, fieldValue));
            }
            return AllowlistRules.FromFields(fields, index);
        }

        private static void CheckTag(NodeEvent e, NodeKind kind)
        {
            if (e.Tag.IsEmpty)
            {
                return;
            }
            string tag = e.Tag.Value;
            string core = tag.StartsWith(CoreTagPrefix, StringComparison.Ordinal) ? tag.Substring(CoreTagPrefix.Length) : null;
            bool isScalarTag = Array.IndexOf(ScalarTags, core) >= 0;
            if (kind == NodeKind.Scalar ? isScalarTag : core == (kind == NodeKind.Sequence ? "seq" : "map"))
            {
                return;
            }
            string shown = AllowlistRules.Show(core != null ? "!!" + core : tag);
            if (isScalarTag || core == "seq" || core == "map")
            {
                throw Invalid($"The allowlist document puts the tag '{shown}' on {Describe(kind)} ({At(e.Start)}). Remove the tag.");
            }
            throw new ApiKeyException("UnsafeAllowlistDocument", ApiKeyErrorCategory.SecurityError,
                $"The allowlist document uses the tag '{shown}' ({At(e.Start)}); tags that build objects are not accepted. Remove the tag.");
        }

        private static bool IsNull(Scalar scalar)
        {
            if (!scalar.Tag.IsEmpty)
            {
                return scalar.Tag.Value == CoreTagPrefix + "null";
            }
            return scalar.IsPlainImplicit && (scalar.Value.Length == 0 || scalar.Value == "~" || scalar.Value == "null" || scalar.Value == "Null" || scalar.Value == "NULL");
        }

        private static string Describe(Node node) =>
            node.Kind == NodeKind.Scalar ? (node.IsNull ? "empty" : $"the text '{AllowlistRules.Show(node.Text)}'") : Describe(node.Kind);

        private static string Describe(NodeKind kind) => kind == NodeKind.Sequence ? "a list" : kind == NodeKind.Mapping ? "a mapping" : "text";

        private static string At(Mark mark) => $"line {mark.Line}, column {mark.Column}";

        private static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

        private static ApiKeyException Empty() =>
            Invalid($"The allowlist document is empty. Give a YAML or JSON list of entries, for example {Example}");

        private static ApiKeyException Invalid(string message, Exception inner = null) =>
            new ApiKeyException("InvalidAllowlistDocument", ApiKeyErrorCategory.InvalidArgument, message, null, inner);

        private static ApiKeyException TooManyNodes() =>
            TooComplex($"The allowlist document is too complex: it has more than {Count(MaxNodes)} values, counting each use of an alias in full. Write the entries out without anchors and aliases.");

        private static ApiKeyException TooComplex(string message) =>
            new ApiKeyException("AllowlistDocumentTooComplex", ApiKeyErrorCategory.InvalidData, message);
    }
}
