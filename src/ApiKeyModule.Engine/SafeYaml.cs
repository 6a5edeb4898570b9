using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace ApiKeyModule
{
    /// <summary>What a YAML document is, for its messages and ErrorIds.</summary>
    internal sealed class YamlDocumentKind
    {
        public static readonly YamlDocumentKind Allowlist = new YamlDocumentKind("allowlist document",
            ErrorIds.InvalidAllowlistDocument, ErrorIds.UnsafeAllowlistDocument, ErrorIds.AllowlistDocumentTooLarge, ErrorIds.AllowlistDocumentTooComplex);

        public static readonly YamlDocumentKind Key = new YamlDocumentKind("key document",
            ErrorIds.InvalidKeyDocument, ErrorIds.UnsafeKeyDocument, ErrorIds.KeyDocumentTooLarge, ErrorIds.KeyDocumentTooComplex);

        private YamlDocumentKind(string noun, string invalid, string unsafeTag, string tooLarge, string tooComplex)
        {
            Noun = noun;
            InvalidId = invalid;
            UnsafeId = unsafeTag;
            TooLargeId = tooLarge;
            TooComplexId = tooComplex;
        }

        public string Noun { get; }
        public string Title => "The " + Noun;
        public string InvalidId { get; }
        public string UnsafeId { get; }
        public string TooLargeId { get; }
        public string TooComplexId { get; }
    }

    internal enum NodeKind { Scalar, Sequence, Mapping }

    // A mapping keeps its keys and values in Children as key, value, key, value...
    internal sealed class YamlNode
    {
        public YamlNode(NodeKind kind, Mark start, string text = "", bool isNull = false)
        {
            Kind = kind;
            Start = start;
            Text = text;
            IsNull = isNull;
        }

        public NodeKind Kind { get; }
        public Mark Start { get; }
        /// <summary>A scalar's text; empty for a list or a mapping.</summary>
        public string Text { get; }
        /// <summary>A null scalar (empty, ~, null, or tagged !!null); never a list or a mapping.</summary>
        public bool IsNull { get; }
        public List<YamlNode> Children { get; } = new List<YamlNode>(0);
    }

    /// <summary>
    /// Reads untrusted YAML (or JSON) into a small tree: no tags that build objects, no unbounded alias expansion,
    /// bounded size and depth. YamlDotNet's object model is not used: it recurses per nesting level, allows
    /// self-referencing aliases and hashes mapping keys in full.
    /// </summary>
    internal static class SafeYaml
    {
        public const int MaxLength = 1_048_576;
        internal const int MaxNodes = 100_000;
        internal const int MaxDepth = 32;

        private const string CoreTagPrefix = "tag:yaml.org,2002:";
        private static readonly string[] ScalarTags = { "str", "int", "bool", "null", "float" };

        /// <summary>The document's root, or null for an empty document.</summary>
        public static YamlNode? Load(string? text, YamlDocumentKind kind)
        {
            if (text != null && text.Length > MaxLength)
            {
                throw new ApiKeyException(kind.TooLargeId, ApiKeyErrorCategory.InvalidArgument,
                    $"{kind.Title} has {Count(text.Length)} characters; the limit is {Count(MaxLength)}.");
            }
            if (text == null || string.IsNullOrWhiteSpace(text))
            {
                return null;
            }
            YamlNode? root = Build(text, kind);
            if (root != null)
            {
                CheckSize(root, kind);
            }
            return root;
        }

        public static string Describe(YamlNode node) =>
            node.Kind == NodeKind.Scalar ? (node.IsNull ? "empty" : $"the text '{AllowlistRules.Show(node.Text)}'") : Describe(node.Kind);

        public static string At(Mark mark) => $"line {mark.Line}, column {mark.Column}";

        public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

        public static ApiKeyException Invalid(YamlDocumentKind kind, string message, Exception? inner = null) =>
            new ApiKeyException(kind.InvalidId, ApiKeyErrorCategory.InvalidArgument, message, null, inner);

        public static ApiKeyException TooComplex(YamlDocumentKind kind, string message) =>
            new ApiKeyException(kind.TooComplexId, ApiKeyErrorCategory.InvalidData, message);

        // Builds the tree from parser events without recursion. The representation model (YamlStream) is not used:
        // it recurses per nesting level, allows self-referencing aliases and hashes mapping keys in full.
        private static YamlNode? Build(string text, YamlDocumentKind kind)
        {
            var parser = new Parser(new StringReader(text[0] == '\uFEFF' ? text.Substring(1) : text));
            var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            var open = new Stack<(YamlNode Node, AnchorName Anchor)>();
            YamlNode? root = null;
            int documents = 0, nodes = 0;
            bool aliased = false;

            void Attach(YamlNode node)
            {
                if (++nodes > MaxNodes)
                {
                    // Without aliases the document is simply long: say the limit it is over.
                    throw aliased ? TooManyNodes(kind) : TooLong(kind, root);
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

            void Open(NodeEvent start, NodeKind nodeKind)
            {
                CheckTag(start, nodeKind, kind);
                if (open.Count >= MaxDepth)
                {
                    throw TooComplex(kind, $"{kind.Title} nests more than {MaxDepth} levels deep ({At(start.Start)}).");
                }
                var node = new YamlNode(nodeKind, start.Start);
                Attach(node);
                open.Push((node, start.Anchor));
            }

            while (MoveNext(parser, kind))
            {
                switch (parser.Current)
                {
                    case DocumentStart document:
                        if (++documents > 1)
                        {
                            throw Invalid(kind, $"The text holds more than one YAML document (another starts at {At(document.Start)}). Give one document.");
                        }
                        break;
                    case Scalar scalar:
                        CheckTag(scalar, NodeKind.Scalar, kind);
                        var node = new YamlNode(NodeKind.Scalar, scalar.Start, scalar.Value, IsNull(scalar));
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
                            throw Invalid(kind, $"{kind.Title} has a mapping with a key or a value missing ({At(closed.Node.Start)}).");
                        }
                        if (!closed.Anchor.IsEmpty)
                        {
                            anchors[closed.Anchor.Value] = closed.Node;
                        }
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out YamlNode target))
                        {
                            throw Invalid(kind, $"{kind.Title} uses the alias '*{AllowlistRules.Show(alias.Value.Value)}' ({At(alias.Start)}), but no complete node with that anchor comes before it.");
                        }
                        aliased = true;
                        Attach(target);
                        break;
                }
            }
            return root;
        }

        private static bool MoveNext(Parser parser, YamlDocumentKind kind)
        {
            try
            {
                return parser.MoveNext();
            }
            catch (YamlException e)
            {
                throw Invalid(kind, $"{kind.Title} is not valid YAML or JSON ({At(e.Start)}): {SafeText.Escape(e.Message)}", e);
            }
            catch (Exception e) when (e is InvalidOperationException || e is ArgumentException)
            {
                // YamlDotNet reports some malformed input this way, with no position and no useful message.
                // Stryker disable once String : the stream's start is read before any text, so there is always an event to place the fault after and this is replaced.
                string near = "";
                if (parser.Current != null)
                {
                    near = $" (after {At(parser.Current.End)})";
                }
                throw Invalid(kind, $"{kind.Title} is not valid YAML or JSON{near}.", e);
            }
        }

        // Aliases share nodes, so the tree can stand for far more than the text shows (billion laughs).
        // Every use of a node counts, and the walk stops as soon as the budget is spent.
        private static void CheckSize(YamlNode root, YamlDocumentKind kind)
        {
            var pending = new Stack<YamlNode>();
            pending.Push(root);
            int seen = 1;
            while (pending.Count > 0)
            {
                foreach (YamlNode child in pending.Pop().Children)
                {
                    if (++seen > MaxNodes)
                    {
                        throw TooManyNodes(kind);
                    }
                    pending.Push(child);
                }
            }
        }

        private static void CheckTag(NodeEvent e, NodeKind nodeKind, YamlDocumentKind kind)
        {
            if (e.Tag.IsEmpty)
            {
                return;
            }
            string tag = e.Tag.Value;
            string? core = tag.StartsWith(CoreTagPrefix, StringComparison.Ordinal) ? tag.Substring(CoreTagPrefix.Length) : null;
            bool isScalarTag = Array.IndexOf(ScalarTags, core) >= 0;
            if (nodeKind == NodeKind.Scalar ? isScalarTag : core == (nodeKind == NodeKind.Sequence ? "seq" : "map"))
            {
                return;
            }
            string shown = AllowlistRules.Show(core != null ? "!!" + core : tag);
            if (isScalarTag || core == "seq" || core == "map")
            {
                throw Invalid(kind, $"{kind.Title} puts the tag '{shown}' on {Describe(nodeKind)} ({At(e.Start)}). Remove the tag.");
            }
            throw new ApiKeyException(kind.UnsafeId, ApiKeyErrorCategory.SecurityError,
                $"{kind.Title} uses the tag '{shown}' ({At(e.Start)}); tags that build objects are not accepted. Remove the tag.");
        }

        private static bool IsNull(Scalar scalar)
        {
            if (!scalar.Tag.IsEmpty)
            {
                return scalar.Tag.Value == CoreTagPrefix + "null";
            }
            return scalar.IsPlainImplicit && (scalar.Value.Length == 0 || scalar.Value == "~" || scalar.Value == "null" || scalar.Value == "Null" || scalar.Value == "NULL");
        }

        private static string Describe(NodeKind kind) => kind == NodeKind.Sequence ? "a list" : kind == NodeKind.Mapping ? "a mapping" : "text";

        private static ApiKeyException TooLong(YamlDocumentKind kind, YamlNode? root) =>
            kind == YamlDocumentKind.Allowlist && root?.Kind == NodeKind.Sequence && root.Children.Count > AllowlistDocument.MaxEntries
                ? TooComplex(kind, $"The allowlist has more than {Count(AllowlistDocument.MaxEntries)} entries; the limit is {Count(AllowlistDocument.MaxEntries)}.")
                : TooComplex(kind, $"{kind.Title} has more than {Count(MaxNodes)} values; the limit is {Count(MaxNodes)}.");

        private static ApiKeyException TooManyNodes(YamlDocumentKind kind) =>
            TooComplex(kind, $"{kind.Title} is too complex: it has more than {Count(MaxNodes)} values, counting each use of an alias in full. Write it out without anchors and aliases.");
    }
}
