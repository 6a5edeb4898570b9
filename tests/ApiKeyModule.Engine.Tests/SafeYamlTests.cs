using Xunit;

namespace ApiKeyModule.Tests
{
    public class SafeYamlTests
    {
        private static YamlDocumentKind Kind(bool key) => key ? YamlDocumentKind.Key : YamlDocumentKind.Allowlist;

        [Theory]
        [InlineData(false, "!!map [a]", "The allowlist document puts the tag '!!map' on a list (line 1, column 1). Remove the tag.")]
        [InlineData(true, "!!seq {a: b}", "The key document puts the tag '!!seq' on a mapping (line 1, column 1). Remove the tag.")]
        [InlineData(true, "a: !!seq b", "The key document puts the tag '!!seq' on text (line 1, column 4). Remove the tag.")]
        [InlineData(false, "- : x\n", "The allowlist document has a mapping with a key or a value missing (line 1, column 3).")]
        [InlineData(false, "#c\n...\n[<<: \\|\n{resourceresource&a <<: ...\n!!str '---\n---\n\"- *bresource:*b", "The allowlist document is not valid YAML or JSON (after line 1, column 1).")]
        [InlineData(true, "!![---\n:~&b ...\n ?   resourceGET |\n],", "The key document is not valid YAML or JSON (after line 1, column 7).")]
        public void A_document_that_is_not_valid_is_named_with_where_and_what_is_wrong(bool key, string text, string message)
        {
            var e = Assert.Throws<ApiKeyException>(() => SafeYaml.Load(text, Kind(key)));
            Assert.Equal(key ? ErrorIds.InvalidKeyDocument : ErrorIds.InvalidAllowlistDocument, e.ErrorId);
            Assert.Equal(message, e.Message);
        }

        [Theory]
        [InlineData("", true)]
        [InlineData("~", true)]
        [InlineData("null", true)]
        [InlineData("Null", true)]
        [InlineData("NULL", true)]
        [InlineData("!!null x", true)]
        [InlineData("nULL", false)]
        [InlineData("'null'", false)]
        [InlineData("''", false)]
        [InlineData("none", false)]
        public void A_value_is_null_when_empty_or_one_of_YAMLs_plain_spellings_of_null(string value, bool isNull)
        {
            Assert.Equal(isNull, SafeYaml.Load($"a: {value}", YamlDocumentKind.Key).Children[1].IsNull);
        }
    }
}
