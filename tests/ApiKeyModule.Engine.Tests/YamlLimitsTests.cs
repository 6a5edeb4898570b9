using System.Linq;
using System.Text;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The limits of a YAML document, checked at their edge by what the parser counts: a limit raised or lowered by one
    /// fails here at once, where a bomb far beyond any limit would still be refused (only later).
    /// </summary>
    public class YamlLimitsTests
    {
        [Theory]
        [InlineData(0, true)]
        [InlineData(1, false)]
        public void Values_are_counted_with_each_use_of_an_alias_in_full_up_to_the_limit(int beyond, bool accepted)
        {
            // A list: one list of 9 values under an anchor, 9,998 uses of it, and single values to make up the rest.
            // Values counted: the root, its items (1 + 9,998 + the rest), the anchored list's 9 once and again for each use.
            const int Width = 9, Uses = 9_998;
            int rest = SafeYaml.MaxNodes - (1 + 1 + Uses + Width + Uses * Width) + beyond;
            var text = new StringBuilder("- &a [" + string.Join(", ", Enumerable.Repeat("x", Width)) + "]\n");
            text.Insert(text.Length, "- *a\n", Uses);
            text.Insert(text.Length, "- x\n", rest);

            if (accepted)
            {
                Assert.Equal(1 + Uses + rest, SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist).Children.Count);
            }
            else
            {
                var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist));
                Assert.Equal(ErrorIds.AllowlistDocumentTooComplex, e.ErrorId);
                Assert.Contains("counting each use of an alias in full", e.Message);
            }
        }

        [Theory]
        [InlineData(0, true)]
        [InlineData(1, false)]
        public void Values_without_aliases_are_counted_up_to_the_same_limit(int beyond, bool accepted)
        {
            // A list of single values: they and the root.
            int items = SafeYaml.MaxNodes - 1 + beyond;
            var text = new StringBuilder().Insert(0, "- x\n", items).ToString();

            if (accepted)
            {
                Assert.Equal(items, SafeYaml.Load(text, YamlDocumentKind.Key).Children.Count);
            }
            else
            {
                var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(text, YamlDocumentKind.Key));
                Assert.Equal(ErrorIds.KeyDocumentTooComplex, e.ErrorId);
                Assert.Equal("The key document has more than 100,000 values; the limit is 100,000.", e.Message);
            }
        }

        [Theory]
        [InlineData(0, true)]
        [InlineData(1, false)]
        public void Lists_nest_up_to_the_limit(int beyond, bool accepted)
        {
            int depth = SafeYaml.MaxDepth + beyond;
            string document = new string('[', depth) + new string(']', depth);

            if (accepted)
            {
                Assert.NotNull(SafeYaml.Load(document, YamlDocumentKind.Allowlist));
            }
            else
            {
                var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(document, YamlDocumentKind.Allowlist));
                Assert.Equal(ErrorIds.AllowlistDocumentTooComplex, e.ErrorId);
                Assert.Contains($"more than {SafeYaml.MaxDepth} levels", e.Message);
            }
        }
            [Theory]
        [InlineData(0, true)]
        [InlineData(1, false)]
        public void Values_read_are_counted_up_to_the_limit_and_with_an_alias_the_message_names_aliases(int beyond, bool accepted)
        {
            // The root, an anchored value, one use of it and the rest: the values read reach the limit before any alias is expanded.
            int rest = SafeYaml.MaxNodes - 3 + beyond;
            var text = new StringBuilder("- &a x\n- *a\n");
            text.Insert(text.Length, "- x\n", rest);

            if (accepted)
            {
                Assert.Equal(2 + rest, SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist).Children.Count);
            }
            else
            {
                var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist));
                Assert.Equal(ErrorIds.AllowlistDocumentTooComplex, e.ErrorId);
                Assert.Equal("The allowlist document is too complex: it has more than 100,000 values, counting each use of an alias in full. Write it out without anchors and aliases.", e.Message);
            }
        }

        [Theory]
        [InlineData(0, "The allowlist document has more than 100,000 values; the limit is 100,000.")]
        [InlineData(1, "The allowlist has more than 10,000 entries; the limit is 10,000.")]
        public void An_allowlist_over_the_value_limit_is_said_to_have_too_many_entries_once_it_has_more_than_their_limit(int beyond, string message)
        {
            // The root, single values, and a last entry whose list and values are one past the value limit: the limit is
            // passed inside the last entry, when the list has that many entries.
            int entries = AllowlistDocument.MaxEntries + beyond, width = SafeYaml.MaxNodes - entries;
            var text = new StringBuilder().Insert(0, "- x\n", entries - 1).Append("- [");
            text.Append(string.Join(", ", Enumerable.Repeat("x", width))).Append("]\n");

            var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist));
            Assert.Equal(ErrorIds.AllowlistDocumentTooComplex, e.ErrorId);
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void The_last_entry_of_an_allowlist_may_take_the_values_up_to_the_limit()
        {
            int entries = AllowlistDocument.MaxEntries, width = SafeYaml.MaxNodes - entries - 1;
            var text = new StringBuilder().Insert(0, "- x\n", entries - 1).Append("- [");
            text.Append(string.Join(", ", Enumerable.Repeat("x", width))).Append("]\n");

            Assert.Equal(width, SafeYaml.Load(text.ToString(), YamlDocumentKind.Allowlist).Children[entries - 1].Children.Count);
        }
    }
}
