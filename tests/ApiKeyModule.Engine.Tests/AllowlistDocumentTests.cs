using System;
using System.Diagnostics;
using System.Linq;
using System.Text;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class AllowlistDocumentTests
    {
        private static string[] ParseToText(string text) => AllowlistDocument.Parse(text).Select(e => e.ToString()).ToArray();

        private static ApiKeyException AssertFails(string text, string errorId, ApiKeyErrorCategory category)
        {
            var e = Assert.Throws<ApiKeyException>(() => AllowlistDocument.Parse(text));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(category, e.Category);
            return e;
        }

        private static ApiKeyException AssertInvalidDocument(string text) =>
            AssertFails(text, "InvalidAllowlistDocument", ApiKeyErrorCategory.InvalidArgument);

        private static ApiKeyException AssertInvalidEntry(string text) =>
            AssertFails(text, "InvalidAllowlistEntry", ApiKeyErrorCategory.InvalidArgument);

        private static ApiKeyException AssertTooComplex(string text) =>
            AssertFails(text, "AllowlistDocumentTooComplex", ApiKeyErrorCategory.InvalidData);

        private static ApiKeyException AssertUnsafe(string text) =>
            AssertFails(text, "UnsafeAllowlistDocument", ApiKeyErrorCategory.SecurityError);

        [Fact]
        public void Yaml_list_is_read()
        {
            const string text = "# what the backup job needs\n- method: CALL\n  resource: system.info\n- method: get\n  resource: /api/v2.0/pool\n";
            Assert.Equal(new[] { "CALL system.info", "GET /api/v2.0/pool" }, ParseToText(text));
        }

        [Theory]
        [InlineData("[{\"method\":\"SUBSCRIBE\",\"resource\":\"certificate.query\"}]")]
        [InlineData("[{\"method\": \"SUBSCRIBE\", \"resource\": \"certificate.query\"}]")]
        [InlineData("[\n  {\n    \"method\": \"SUBSCRIBE\",\n    \"resource\": \"certificate.query\"\n  }\n]\n")]
        [InlineData("[\r\n    {\r\n        \"method\":  \"SUBSCRIBE\",\r\n        \"resource\":  \"certificate.query\"\r\n    }\r\n]")]
        [InlineData("[\n\t{\n\t\t\"method\": \"SUBSCRIBE\",\n\t\t\"resource\": \"certificate.query\"\n\t}\n]")]
        [InlineData("[{\"resource\":\"certificate.query\",\"method\":\"subscribe\"}]")]
        [InlineData("\uFEFF[{\"method\":\"SUBSCRIBE\",\"resource\":\"certificate.query\"}]")]
        [InlineData("- {method: SUBSCRIBE, resource: certificate.query}")]
        [InlineData("---\n- method: SUBSCRIBE\n  resource: 'certificate.query'\n...\n")]
        public void Json_and_yaml_forms_give_the_same_entry(string text)
        {
            Assert.Equal(new[] { "SUBSCRIBE certificate.query" }, ParseToText(text));
        }

        [Fact]
        public void Json_escapes_are_read()
        {
            Assert.Equal(new[] { "GET /pool", "CALL caf\u00e9" }, ParseToText("[{\"method\":\"GET\",\"resource\":\"\\/pool\"},{\"method\":\"CALL\",\"resource\":\"caf\\u00e9\"}]"));
        }

        [Theory]
        [InlineData("get", "GET")]
        [InlineData("Post", "POST")]
        [InlineData("pUT", "PUT")]
        [InlineData("delete", "DELETE")]
        [InlineData("call", "CALL")]
        [InlineData("Subscribe", "SUBSCRIBE")]
        [InlineData("'*'", "*")]
        public void Methods_in_any_case_are_stored_upper_case(string method, string expected)
        {
            Assert.Equal(expected, AllowlistDocument.Parse($"- {{method: {method}, resource: x}}").Single().Method);
        }

        [Fact]
        public void Wildcards_are_kept()
        {
            Assert.Equal(new[] { "* *", "CALL pool.*", "GET /api/v2.0/*" },
                ParseToText("[{\"method\":\"*\",\"resource\":\"*\"},{\"method\":\"CALL\",\"resource\":\"pool.*\"},{\"method\":\"GET\",\"resource\":\"/api/v2.0/*\"}]"));
        }

        [Fact]
        public void Duplicates_collapse_keeping_first_order()
        {
            const string text = "- {method: call, resource: system.info}\n- {method: GET, resource: /pool}\n- {method: CALL, resource: system.info}\n- {method: GET, resource: /Pool}\n";
            Assert.Equal(new[] { "CALL system.info", "GET /pool", "GET /Pool" }, ParseToText(text));
        }

        [Theory]
        [InlineData("[]")]
        [InlineData("[ ]\n")]
        [InlineData("--- []")]
        public void Empty_list_gives_no_entries(string text)
        {
            Assert.Empty(AllowlistDocument.Parse(text));
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("   ")]
        [InlineData("\r\n\t")]
        [InlineData("# only a comment\n")]
        [InlineData("---\n")]
        [InlineData("~")]
        public void Empty_text_is_rejected_with_an_example(string text)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains("empty", e.Message);
            Assert.Contains("[{\"method\":\"CALL\",\"resource\":\"system.info\"}]", e.Message);
        }

        [Fact]
        public void Text_over_the_limit_is_rejected_before_parsing()
        {
            var watch = Stopwatch.StartNew();
            var e = AssertFails(new string('[', 10 * 1024 * 1024), "AllowlistDocumentTooLarge", ApiKeyErrorCategory.InvalidArgument);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
            Assert.Contains("1,048,576", e.Message);

            AssertFails(new string(' ', AllowlistDocument.MaxLength + 1), "AllowlistDocumentTooLarge", ApiKeyErrorCategory.InvalidArgument);
        }

        [Fact]
        public void Text_at_the_limit_is_parsed()
        {
            Assert.Empty(AllowlistDocument.Parse("[]" + new string(' ', AllowlistDocument.MaxLength - 2)));
        }

        [Theory]
        [InlineData("[a, b", "line 2, column 1")]
        [InlineData("[{\"method\":\"GET\",\"resource\":\"/pool\"}", "line 2, column 1")]
        [InlineData("- method: GET\n resource: x\n", "line 2")]
        [InlineData("- {method: \"GET, resource: x}", "line 1")]
        public void Syntax_errors_give_the_position(string text, string position)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains("not valid YAML or JSON", e.Message);
            Assert.Contains(position, e.Message);
        }

        // Inputs on which YamlDotNet throws something other than YamlException, or drops an empty key.
        [Theory]
        [InlineData("- : x\n")]
        [InlineData("- method: \n\n\n  :")]
        [InlineData("#c\n...\n[<<: \\|\n{resourceresource&a <<: ...\n!!str '---\n---\n\"- *bresource:*b")]
        [InlineData("!![---\n:~&b ...\n ?   resourceGET |\n],")]
        public void Malformed_input_the_parser_mishandles_is_still_invalid(string text)
        {
            AssertInvalidDocument(text);
        }

        [Theory]
        [InlineData("system.info", "the text 'system.info'")]
        [InlineData("42", "the text '42'")]
        [InlineData("method: CALL\nresource: system.info\n", "a mapping")]
        [InlineData("{\"method\":\"CALL\",\"resource\":\"system.info\"}", "a mapping")]
        public void Document_that_is_not_a_list_is_rejected_with_the_yaml_form(string text, string found)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains(found, e.Message);
            Assert.Contains("must be a list of entries with method and resource", e.Message);
            Assert.Contains("- method: CALL\n  resource: system.info", e.Message);
        }

        [Theory]
        [InlineData("- {method: GET, resource: a}\n---\n- {method: GET, resource: b}\n")]
        [InlineData("[]\n---\n[]\n")]
        [InlineData("--- []\n--- \n")]
        public void More_than_one_document_is_rejected(string text)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains("more than one YAML document", e.Message);
        }

        [Theory]
        [InlineData("- system.info", 1, "the text 'system.info'")]
        [InlineData("- [GET, system.info]", 1, "a list")]
        [InlineData("[[{\"method\":\"GET\",\"resource\":\"x\"}]]", 1, "a list")]
        [InlineData("- ~", 1, "empty")]
        [InlineData("- {method: GET, resource: a}\n- foo\n", 2, "the text 'foo'")]
        public void Entry_that_is_not_a_mapping_is_rejected_by_index(string text, int index, string found)
        {
            var e = AssertInvalidEntry(text);
            Assert.StartsWith($"Allowlist entry {index} (line {index}, column ", e.Message);
            Assert.Contains($"is {found}, not an entry", e.Message);
        }

        [Theory]
        [InlineData("- method: GET\n  resource: a\n  note: x\n", "Allowlist entry 1: unknown field 'note'; an entry has only 'method' and 'resource'.")]
        [InlineData("- {method: GET, resource: a}\n- {method: GET}\n", "Allowlist entry 2: field 'resource' is missing")]
        [InlineData("- {resource: a}", "Allowlist entry 1: field 'method' is missing")]
        [InlineData("- {method: GET, resource: }", "Allowlist entry 1: field 'resource' is missing")]
        [InlineData("- {method: GET, resource: ~}", "Allowlist entry 1: field 'resource' is missing")]
        [InlineData("[{\"method\":\"GET\",\"resource\":null}]", "Allowlist entry 1: field 'resource' is missing")]
        [InlineData("- {method: GET, resource: !!null x}", "Allowlist entry 1: field 'resource' is missing")]
        [InlineData("- {method: GET, resource: ''}", "Allowlist entry 1 (method=GET, resource=): resource is empty")]
        [InlineData("- {method: GET, Method: PUT, resource: x}", "Allowlist entry 1: field 'method' is given more than once")]
        [InlineData("[{\"method\":\"GET\",\"resource\":\"a\",\"resource\":\"b\"}]", "Allowlist entry 1: field 'resource' is given more than once")]
        [InlineData("- {method: [GET], resource: x}", "Allowlist entry 1: field 'method' must be text")]
        [InlineData("- {method: GET, resource: {a: b}}", "Allowlist entry 1: field 'resource' must be text")]
        [InlineData("- {method: GET, resource: x}\n- {method: FOO, resource: system.info}\n", "Allowlist entry 2 (method=FOO, resource=system.info): unknown method 'FOO'. Use one of GET, POST, PUT, DELETE, CALL, SUBSCRIBE or *.")]
        [InlineData("- {method: 1, resource: x}", "Allowlist entry 1 (method=1, resource=x): unknown method '1'.")]
        [InlineData("- {method: GET, resource: \" x\"}", "Allowlist entry 1 (method=GET, resource= x): resource starts or ends with white space")]
        [InlineData("- {method: GET, resource: \"a\\nb\"}", "Allowlist entry 1 (method=GET, resource=a\u240Ab): resource contains the control character U+000A")]
        [InlineData("- {[method]: GET}", "Allowlist entry 1 (line 1, column 4) has a list as a field name")]
        [InlineData("- {<<: {method: GET, resource: x}}", "Allowlist entry 1: unknown field '<<'")]
        public void Bad_entries_are_rejected_naming_the_entry(string text, string expected)
        {
            var e = AssertInvalidEntry(text);
            Assert.StartsWith(expected, e.Message);
        }

        [Theory]
        [InlineData("- !!python/object:os.system {method: GET, resource: x}", "!!python/object:os.system")]
        [InlineData("!!python/object/apply:os.system [ls]", "!!python/object/apply:os.system")]
        [InlineData("- {method: !foo GET, resource: x}", "!foo")]
        [InlineData("- !foo\n  method: GET\n  resource: x\n", "!foo")]
        [InlineData("- {method: GET, resource: !<tag:example.com,2000:app/x> x}", "tag:example.com,2000:app/x")]
        [InlineData("- {method: GET, resource: !!binary eA==}", "!!binary")]
        [InlineData("- {method: GET, resource: !!timestamp 2001-12-14}", "!!timestamp")]
        [InlineData("!!set {a, b}", "!!set")]
        [InlineData("- {method: GET, resource: ! x}", "'!'")]
        [InlineData("%TAG !! tag:example.com,2000:\n---\n- {method: !!str GET, resource: x}\n", "tag:example.com,2000:str")]
        [InlineData("%TAG !e! tag:example.com,2000:\n---\n- !e!thing {method: GET, resource: x}\n", "tag:example.com,2000:thing")]
        public void Tags_other_than_the_core_ones_are_rejected(string text, string tag)
        {
            var e = AssertUnsafe(text);
            Assert.Contains(tag, e.Message);
            Assert.Contains("tags that build objects are not accepted", e.Message);
        }

        [Fact]
        public void Core_tags_are_accepted()
        {
            const string text = "!!seq\n- !!map {method: !!str GET, resource: !!str system.info}\n- {method: CALL, resource: !!int 42}\n- {method: PUT, resource: !<tag:yaml.org,2002:float> 1.5}\n- {method: PUT, resource: !!bool true}\n";
            Assert.Equal(new[] { "GET system.info", "CALL 42", "PUT 1.5", "PUT true" }, ParseToText(text));
        }

        [Theory]
        [InlineData("!!map [a]")]
        [InlineData("!!seq {a: b}")]
        [InlineData("- {method: !!seq GET, resource: x}")]
        [InlineData("- !!str {method: GET, resource: x}")]
        public void Core_tag_on_the_wrong_kind_of_node_is_rejected(string text)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains("Remove the tag", e.Message);
        }

        [Fact]
        public void Legitimate_aliases_are_expanded()
        {
            const string text = "- &base {method: CALL, resource: &r system.info}\n- *base\n- {method: GET, resource: *r}\n";
            Assert.Equal(new[] { "CALL system.info", "GET system.info" }, ParseToText(text));
        }

        [Theory]
        [InlineData("- *nowhere")]
        [InlineData("&a [*a]")]
        [InlineData("- &e {method: GET, resource: *e}")]
        public void Alias_without_a_complete_anchor_before_it_is_rejected(string text)
        {
            var e = AssertInvalidDocument(text);
            Assert.Contains("no complete node with that anchor comes before it", e.Message);
        }

        private static string BillionLaughs(bool asMapping, int levels = 10, int width = 10)
        {
            var text = new StringBuilder(asMapping ? "a: &a [" : "- &a [");
            text.Append(string.Join(",", Enumerable.Repeat("lol", width))).Append("]\n");
            for (int level = 1; level < levels; level++)
            {
                char name = (char)('a' + level), previous = (char)('a' + level - 1);
                text.Append(asMapping ? $"{name}: &{name} [" : $"- &{name} [");
                text.Append(string.Join(",", Enumerable.Repeat("*" + previous, width))).Append("]\n");
            }
            return text.ToString();
        }

        [Theory]
        [InlineData(false, 10, 10)]
        [InlineData(true, 10, 10)]
        [InlineData(false, 9, 9)]
        public void Billion_laughs_is_rejected_quickly(bool asMapping, int levels, int width)
        {
            var watch = Stopwatch.StartNew();
            var e = AssertTooComplex(BillionLaughs(asMapping, levels, width));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
            Assert.Contains("alias", e.Message);
        }

        [Fact]
        public void Billion_laughs_inside_an_entry_is_rejected()
        {
            string text = BillionLaughs(false) + "- {method: GET, resource: *j}\n";
            AssertTooComplex(text);
        }

        [Theory]
        [InlineData(1_000_000, "[")]
        [InlineData(100_000, "- ")]
        [InlineData(100_000, "{a: ")]
        public void Deep_nesting_is_rejected_quickly(int count, string opener)
        {
            var watch = Stopwatch.StartNew();
            var e = AssertTooComplex(string.Concat(Enumerable.Repeat(opener, count)));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"took {watch.Elapsed}");
            Assert.Contains("levels deep", e.Message);
        }

        private static string Entries(int count) =>
            "[" + string.Join(",", Enumerable.Range(1, count).Select(i => $"{{\"method\":\"CALL\",\"resource\":\"r{i}\"}}")) + "]";

        [Fact]
        public void Entries_up_to_the_limit_are_accepted()
        {
            Assert.Equal(AllowlistDocument.MaxEntries, AllowlistDocument.Parse(Entries(AllowlistDocument.MaxEntries)).Count);
        }

        [Fact]
        public void More_entries_than_the_limit_are_rejected()
        {
            var e = AssertTooComplex(Entries(AllowlistDocument.MaxEntries + 1));
            Assert.Contains("10,001 entries; the limit is 10,000", e.Message);
        }

        [Fact]
        public void Too_many_values_without_aliases_are_rejected()
        {
            string text = "- {" + string.Join(", ", Enumerable.Range(1, 60_000).Select(i => $"k{i}: v")) + "}";
            AssertTooComplex(text);
        }
    }
}
