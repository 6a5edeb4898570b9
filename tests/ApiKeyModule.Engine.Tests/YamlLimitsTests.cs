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
                Assert.Contains($"has more than {SafeYaml.Count(SafeYaml.MaxNodes)} values", e.Message);
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
    }
}
