using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class AllowlistRulesTests
    {
        private static KeyValuePair<string, object> F(string name, object value) => new KeyValuePair<string, object>(name, value);

        private static ApiKeyException AssertInvalidEntry(Action action)
        {
            var e = Assert.Throws<ApiKeyException>(action);
            Assert.Equal("InvalidAllowlistEntry", e.ErrorId);
            Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
            return e;
        }

        [Theory]
        [InlineData("GET", "GET")]
        [InlineData("get", "GET")]
        [InlineData("Post", "POST")]
        [InlineData("put", "PUT")]
        [InlineData("delete", "DELETE")]
        [InlineData("cAlL", "CALL")]
        [InlineData("subscribe", "SUBSCRIBE")]
        [InlineData("*", "*")]
        public void Method_is_matched_ignoring_case_and_stored_upper_case(string method, string expected)
        {
            Assert.Equal(expected, AllowlistRules.CreateEntry(method, "system.info", null).Method);
        }

        [Theory]
        [InlineData("FOO")]
        [InlineData(" GET")]
        [InlineData("GET ")]
        [InlineData("PATCH")]
        [InlineData("**")]
        [InlineData("\u017Fubscribe")] // long s upper-cases to 'S' outside ASCII
        public void Unknown_method_is_rejected_with_the_choices(string method)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.CreateEntry(method, "system.info", null));
            Assert.Contains("unknown method", e.Message);
            Assert.Contains("GET, POST, PUT, DELETE, CALL, SUBSCRIBE or *", e.Message);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        public void Missing_method_is_rejected(string method)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.CreateEntry(method, "system.info", null));
            Assert.Contains("method is missing", e.Message);
        }

        [Fact]
        public void Message_names_the_entry_by_the_description_given()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.CreateEntry("FOO", "system.info", "Allowlist entry 2 (method=FOO, resource=system.info)"));
            Assert.StartsWith("Allowlist entry 2 (method=FOO, resource=system.info): unknown method 'FOO'.", e.Message);
        }

        [Fact]
        public void Message_without_a_description_names_the_entry_by_its_values()
        {
            var e = AssertInvalidEntry(() => AllowlistEntry.Create("FOO", "system.info"));
            Assert.StartsWith("Allowlist entry (method=FOO, resource=system.info):", e.Message);
        }

        [Theory]
        [InlineData("system.info")]
        [InlineData("/api/v2.0/pool")]
        [InlineData("*")]
        [InlineData("pool.*")]
        [InlineData("system info")]
        [InlineData("r\u00e9seau.*")]
        public void Valid_resources_are_kept_as_given(string resource)
        {
            Assert.Equal(resource, AllowlistRules.CreateEntry("CALL", resource, null).Resource);
        }

        [Fact]
        public void Resource_of_the_maximum_length_is_accepted()
        {
            string resource = new string('a', AllowlistRules.MaxResourceLength);
            Assert.Equal(resource, AllowlistEntry.Create("GET", resource).Resource);
        }

        [Theory]
        [InlineData(null, "resource is missing")]
        [InlineData("", "resource is empty")]
        [InlineData("   ", "resource is empty")]
        [InlineData("\t", "resource is empty")]
        [InlineData("system\ninfo", "control character U+000A")]
        [InlineData("system\u0000info", "control character U+0000")]
        [InlineData("system\u007Finfo", "control character U+007F")]
        [InlineData("system\u0085info", "control character U+0085")]
        [InlineData("system\u2028info", "control character U+2028")]
        [InlineData("system\u2029info", "control character U+2029")]
        [InlineData(" system.info", "starts or ends with white space")]
        [InlineData("system.info ", "starts or ends with white space")]
        [InlineData("system.info\u00a0", "starts or ends with white space")]
        public void Bad_resource_is_rejected(string resource, string expected)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.CreateEntry("CALL", resource, "Allowlist entry 3"));
            Assert.StartsWith("Allowlist entry 3: ", e.Message);
            Assert.Contains(expected, e.Message);
        }

        [Fact]
        public void Resource_over_the_maximum_length_is_rejected()
        {
            var e = AssertInvalidEntry(() => AllowlistEntry.Create("GET", new string('a', AllowlistRules.MaxResourceLength + 1)));
            Assert.Contains("resource has 1025 characters; the limit is 1024", e.Message);
            Assert.True(e.Message.Length < 300, "a long resource is cut in the message");
        }

        [Fact]
        public void Control_characters_are_escaped_in_the_message()
        {
            var e = AssertInvalidEntry(() => AllowlistEntry.Create("GET", "a\u001b[31mb"));
            Assert.DoesNotContain('\u001b', e.Message);
            Assert.Contains("a\u241b[31mb", e.Message);
        }

        [Fact]
        public void Format_characters_are_escaped_in_the_message()
        {
            var e = AssertInvalidEntry(() => AllowlistEntry.Create("G\u202EET", "x"));
            Assert.DoesNotContain('\u202E', e.Message);
            Assert.Contains("'G\\u202EET'", e.Message);
        }

        [Fact]
        public void FromFields_reads_method_and_resource_in_any_case_and_order()
        {
            var entry = AllowlistRules.FromFields(new[] { F("Resource", "pool.*"), F("METHOD", "call") }, 1);
            Assert.Equal("CALL", entry.Method);
            Assert.Equal("pool.*", entry.Resource);
        }

        [Fact]
        public void FromFields_reads_a_hashtable()
        {
            var table = new Hashtable { ["method"] = "subscribe", ["resource"] = "certificate.query" };
            var fields = table.Cast<DictionaryEntry>().Select(d => F((string)d.Key, d.Value));
            Assert.Equal(AllowlistEntry.Create("SUBSCRIBE", "certificate.query"), AllowlistRules.FromFields(fields, 1));
        }

        [Fact]
        public void FromFields_rejects_an_unknown_field_naming_the_entry()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F("method", "GET"), F("resource", "x"), F("foo", "bar") }, 4));
            Assert.Equal("Allowlist entry 4: unknown field 'foo'; an entry has only 'method' and 'resource'.", e.Message);
        }

        [Fact]
        public void FromFields_rejects_a_null_field_name()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F(null, "GET") }, 1));
            Assert.Contains("unknown field ''", e.Message);
        }

        [Theory]
        [InlineData("method", "resource")]
        [InlineData("resource", "method")]
        public void FromFields_rejects_a_missing_field(string given, string missing)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F(given, "GET") }, 2));
            Assert.StartsWith("Allowlist entry 2: ", e.Message);
            Assert.Contains($"field '{missing}' is missing", e.Message);
        }

        [Fact]
        public void FromFields_treats_a_null_value_as_missing()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F("method", "GET"), F("resource", null) }, 1));
            Assert.Contains("field 'resource' is missing", e.Message);
        }

        [Fact]
        public void FromFields_of_null_says_the_entry_is_empty_and_what_it_needs()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(null, 3));
            Assert.Equal("Allowlist entry 3 is empty. Give it a method and a resource.", e.Message);
        }

        [Fact]
        public void FromFields_rejects_no_fields()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(Array.Empty<KeyValuePair<string, object>>(), 1));
            Assert.Contains("field 'method' is missing", e.Message);
        }

        public static IEnumerable<object[]> RepeatedFields() => new[]
        {
            new object[] { new[] { F("Method", "GET"), F("method", "GET"), F("resource", "x") } },
            new object[] { new[] { F("method", "GET"), F("resource", "x"), F("RESOURCE", "y") } },
            new object[] { new[] { F("method", null), F("method", "GET"), F("resource", "x") } },
        };

        [Theory]
        [MemberData(nameof(RepeatedFields))]
        public void FromFields_rejects_a_field_given_twice(KeyValuePair<string, object>[] fields)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(fields, 5));
            Assert.StartsWith("Allowlist entry 5: ", e.Message);
            Assert.Contains("is given more than once", e.Message);
        }

        [Fact]
        public void FromFields_converts_other_scalars_invariantly()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F("method", 1), F("resource", "system.info") }, 2));
            Assert.StartsWith("Allowlist entry 2 (method=1, resource=system.info): unknown method '1'.", e.Message);

            Assert.Equal("1.5", AllowlistRules.FromFields(new[] { F("method", "GET"), F("resource", 1.5) }, 1).Resource);
            Assert.Equal("True", AllowlistRules.FromFields(new[] { F("method", "GET"), F("resource", true) }, 1).Resource);
        }

        public static IEnumerable<object[]> NonScalarValues() => new[]
        {
            new object[] { new[] { "GET" } },
            new object[] { new List<object> { "GET" } },
            new object[] { new Hashtable { ["a"] = "b" } },
            new object[] { new Dictionary<string, string>() },
        };

        [Theory]
        [MemberData(nameof(NonScalarValues))]
        public void FromFields_rejects_values_that_are_not_text(object value)
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F("method", value), F("resource", "x") }, 3));
            Assert.Equal("Allowlist entry 3: field 'method' must be text, not a list or a table.", e.Message);
        }

        [Fact]
        public void FromFields_names_the_entry_and_values_when_a_value_is_bad()
        {
            var e = AssertInvalidEntry(() => AllowlistRules.FromFields(new[] { F("method", "FOO"), F("resource", "system.info") }, 2));
            Assert.Equal("Allowlist entry 2 (method=FOO, resource=system.info): unknown method 'FOO'. Use one of GET, POST, PUT, DELETE, CALL, SUBSCRIBE or *.", e.Message);
        }

        [Fact]
        public void Normalize_drops_duplicates_keeping_first_seen_order()
        {
            var list = AllowlistRules.Normalize(new[]
            {
                AllowlistEntry.Create("call", "system.info"),
                AllowlistEntry.Create("GET", "/pool"),
                AllowlistEntry.Create("CALL", "system.info"),
                AllowlistEntry.Create("*", "*"),
                AllowlistEntry.Create("get", "/pool"),
                AllowlistEntry.Create("GET", "/Pool"),
            });
            Assert.Equal(new[] { "CALL system.info", "GET /pool", "* *", "GET /Pool" }, list.Select(e => e.ToString()));
        }

        [Fact]
        public void Normalize_of_nothing_is_empty()
        {
            Assert.Empty(AllowlistRules.Normalize(Array.Empty<AllowlistEntry>()));
        }

        [Fact]
        public void Normalize_refuses_a_missing_list_or_a_null_entry()
        {
            Assert.Equal("entries", Assert.Throws<ArgumentNullException>(() => AllowlistRules.Normalize(null)).ParamName);
            var e = Assert.Throws<ArgumentException>(() => AllowlistRules.Normalize(new[] { AllowlistEntry.Create("GET", "x"), null }));
            Assert.Equal("entries", e.ParamName);
            Assert.StartsWith("The list holds a null entry.", e.Message);
        }

        [Fact]
        public void A_value_up_to_the_shown_length_is_shown_whole_even_ending_in_half_a_surrogate_pair()
        {
            string whole = new string('a', 60);
            Assert.Equal(whole, AllowlistRules.Show(whole));
            Assert.Equal(new string('a', 59) + "\\uD800", AllowlistRules.Show(new string('a', 59) + "\uD800"));
        }

        [Fact]
        public void A_longer_value_is_cut_at_the_shown_length_and_marked_with_dots()
        {
            Assert.Equal(new string('a', 60) + "...", AllowlistRules.Show(new string('a', 61)));
            Assert.Equal(new string('a', 60) + "...", AllowlistRules.Show(new string('a', 61) + "\U0001F600"));
        }

        [Fact]
        public void A_cut_never_splits_a_surrogate_pair()
        {
            Assert.Equal(new string('a', 59) + "...", AllowlistRules.Show(new string('a', 59) + "\U0001F600b"));
        }
    }
}
