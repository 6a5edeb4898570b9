using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class KeyDocumentTests
    {
        private static ApiKey Existing(string name = "svc: \"main\" #1") =>
            new ApiKey
            {
                Id = 3,
                Name = name,
                CreatedAt = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
                Allowlist = new[] { AllowlistEntry.Create("CALL", "system.*"), AllowlistEntry.Create("*", "disk.*_info") },
                ExpiresAt = new DateTime(2030, 5, 6, 7, 8, 9, DateTimeKind.Utc),
            };

        [Fact]
        public void The_new_key_template_has_a_comment_per_field_and_optional_fields_commented_out()
        {
            Assert.Matches(@"# String: [^\n]*\nname: \n# List: [^\n]*\n#[^\n]*\n# allowlist: \[\]\n# DateTime: [^\n]*\n# expires_at: null\n$",
                KeyDocument.Template());
            Assert.DoesNotContain("reset", KeyDocument.Template());
        }

        [Fact]
        public void The_template_of_an_existing_key_reads_back_as_the_key_itself()
        {
            ApiKey key = Existing();
            string template = KeyDocument.Template(key);
            Assert.Contains("reset: false", template);
            Assert.Contains("expires_at: 2030-05-06T07:08:09Z", template);
            KeySpec spec = KeyDocument.Parse(template, forExistingKey: true);
            Assert.Equal(key.Name, spec.Name);
            Assert.Equal(key.Allowlist, spec.Allowlist);
            Assert.Equal(key.ExpiresAt, spec.ExpiresAt);
            Assert.True(spec.ChangesFrom(key).IsEmpty);
        }

        [Fact]
        public void An_expiry_with_milliseconds_reads_back_unchanged()
        {
            var key = new ApiKey
            {
                Id = 4,
                Name = "k",
                CreatedAt = DateTime.UtcNow,
                Allowlist = new AllowlistEntry[0],
                ExpiresAt = new DateTime(2020, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc),
            };
            string template = KeyDocument.Template(key);
            Assert.Contains("expires_at: 2020-01-02T03:04:05.678Z", template);
            Assert.True(KeyDocument.Parse(template, true).ChangesFrom(key).IsEmpty);
        }

        [Fact]
        public void Changes_are_what_differs_from_the_key()
        {
            ApiKey key = Existing("svc");
            KeySpec spec = KeyDocument.Parse("name: svc2\nallowlist: []\nexpires_at: null\nreset: true\n", forExistingKey: true);
            ApiKeyChanges changes = spec.ChangesFrom(key);
            Assert.Equal("svc2", changes.Name);
            Assert.Empty(changes.Allowlist);
            Assert.True(changes.NeverExpires);
            Assert.True(changes.Reset);
            Assert.True(KeyDocument.Parse("name: svc", true).ChangesFrom(key).IsEmpty);
        }

        [Theory]
        [InlineData("", true)]
        [InlineData("   \n\n", true)]
        [InlineData("# only comments\n# name: x\n", true)]
        [InlineData("name: k", false)]
        public void A_document_of_nothing_but_comments_is_empty(string text, bool empty)
        {
            Assert.Equal(empty, KeyDocument.Parse(text, forExistingKey: false) == null);
        }

        [Theory]
        [InlineData("- name: k", "InvalidKeyDocument")]
        [InlineData("name: k\ncolor: blue", "InvalidKeyDocument")]
        [InlineData("name: k\nreset: true", "InvalidKeyDocument")]
        [InlineData("name: [a, b]", "InvalidKeyDocument")]
        [InlineData("name: k\nname: j", "InvalidKeyDocument")]
        [InlineData("name: k\nallowlist: {method: GET}", "InvalidAllowlistDocument")]
        [InlineData("name: k\nallowlist: [{method: FETCH, resource: x}]", "InvalidAllowlistEntry")]
        [InlineData("allowlist: []", "InvalidName")]
        [InlineData("name: ' padded'", "InvalidName")]
        [InlineData("name: k\nexpires_at: someday", "InvalidExpiry")]
        [InlineData("name: !!python/object:os.system k", "UnsafeKeyDocument")]
        [InlineData("name: [unclosed", "InvalidKeyDocument")]
        public void Bad_documents_name_what_is_wrong(string text, string errorId)
        {
            Assert.Equal(errorId, Assert.Throws<ApiKeyException>(() => KeyDocument.Parse(text, forExistingKey: false)).ErrorId);
        }

        [Fact]
        public void Reset_must_be_a_boolean_on_an_existing_key()
        {
            Assert.True(KeyDocument.Parse("reset: TRUE", true).Reset);
            Assert.Equal("InvalidKeyDocument", Assert.Throws<ApiKeyException>(() => KeyDocument.Parse("reset: maybe", true)).ErrorId);
        }

        [Fact]
        public void Errors_go_on_top_and_replace_earlier_ones()
        {
            string once = KeyDocument.WithError("name: x\n", "first\nsecond line");
            Assert.Equal("# ERROR: first\n# ERROR: second line\nname: x\n", once);
            Assert.Equal("# ERROR: third\nname: x\n", KeyDocument.WithError(once, "third"));
        }
            [Fact]
        public void The_template_says_on_its_first_line_what_saving_it_does_and_how_to_cancel()
        {
            Assert.StartsWith("# New API key. Fill in, save and close the editor to create it. Empty the file to cancel.\n# String: ", KeyDocument.Template());
            Assert.StartsWith("# API key 3. Change what you need, save and close the editor to apply. Empty the file to cancel.\n# String: ", KeyDocument.Template(Existing()));
        }

        [Fact]
        public void The_template_of_a_key_that_never_expires_says_null()
        {
            ApiKey key = Existing();
            key.ExpiresAt = null;
            Assert.Contains("\nexpires_at: null\n", KeyDocument.Template(key));
        }

        [Fact]
        public void Control_line_separator_and_delete_characters_of_a_name_are_escaped_and_read_back_as_they_were()
        {
            // A name from the store is not validated again: the document must still be one line per field.
            const string name = "a\u0001\u001f \u007f\u2028\u2029\"\\\u00e9b";
            string template = KeyDocument.Template(Existing(name));
            Assert.Contains("\nname: \"a\\u0001\\u001f \\u007f\\u2028\\u2029\\\"\\\\\u00e9b\"\n", template);
            YamlNode root = SafeYaml.Load(template, YamlDocumentKind.Key);
            Assert.Equal(new[] { "name", name }, root.Children.Take(2).Select(n => n.Text));
        }

        [Theory]
        [InlineData(false, "hello", "InvalidKeyDocument", "The key document is the text 'hello', but it must be fields such as 'name: backup'.")]
        [InlineData(false, "[a]: x", "InvalidKeyDocument", "The key document has a list as a field name (line 1, column 1).")]
        [InlineData(false, "name: k\nname: j", "InvalidKeyDocument", "The field 'name' is given twice (line 2, column 1).")]
        [InlineData(false, "name: [a, b]", "InvalidKeyDocument", "The field 'name' is a list (line 1, column 7), but it must be a single value.")]
        [InlineData(false, "name: k\nexpires_at: someday", "InvalidExpiry", "expires_at 'someday' (line 2, column 13) is not a date. Write it as 2027-01-31T00:00:00Z, or null for never.")]
        [InlineData(true, "reset: maybe", "InvalidKeyDocument", "reset 'maybe' (line 1, column 8) must be true or false.")]
        [InlineData(false, "name: k\ncolor: blue", "InvalidKeyDocument", "Unknown field 'color' (line 2, column 1). The fields are name, allowlist, expires_at.")]
        [InlineData(true, "color: blue", "InvalidKeyDocument", "Unknown field 'color' (line 1, column 1). The fields are name, allowlist, expires_at, reset and grace_period.")]
        [InlineData(false, "allowlist: []", "InvalidName", "The name is missing. Give one, for example 'name: backup-server'.")]
        [InlineData(false, "name: ~", "InvalidName", "The name is missing. Give one, for example 'name: backup-server'.")]
        public void Each_fault_of_a_document_is_told_with_where_it_is_and_what_to_write(bool forExistingKey, string text, string errorId, string message)
        {
            var e = Assert.Throws<ApiKeyException>(() => KeyDocument.Parse(text, forExistingKey));
            Assert.Equal(errorId, e.ErrorId);
            Assert.Equal(message, e.Message);
        }

        [Fact]
        public void A_null_name_leaves_the_name_and_a_null_allowlist_empties_it()
        {
            KeySpec spec = KeyDocument.Parse("name:\nallowlist: null\n", forExistingKey: true);
            Assert.Null(spec.Name);
            Assert.NotNull(spec.Allowlist);
            Assert.Empty(spec.Allowlist);
        }

        [Theory]
        [InlineData("2027-01-31T00:00:00Z")]
        [InlineData("2027-01-31T00:00:00")]
        [InlineData("2027-01-31T02:00:00+02:00")]
        [InlineData("2027-01-30T19:00:00-05:00")]
        public void An_expiry_is_read_as_UTC_a_time_without_a_zone_taken_as_UTC(string expiresAt)
        {
            DateTime? time = KeyDocument.Parse($"name: k\nexpires_at: {expiresAt}", forExistingKey: false).ExpiresAt;
            Assert.Equal(DateTimeKind.Utc, time.Value.Kind);
            Assert.Equal(new DateTime(2027, 1, 31, 0, 0, 0, DateTimeKind.Utc), time.Value);
        }

        [Fact]
        public void Errors_replace_a_document_of_nothing_but_errors()
        {
            Assert.Equal("# ERROR: new\n", KeyDocument.WithError("# ERROR: old", "new"));
        }

        [Fact]
        public void Errors_on_top_of_a_document_with_CRLF_line_ends_keep_its_lines()
        {
            Assert.Equal("# ERROR: first\n# ERROR: second\nname: x\nallowlist: []\n",
                KeyDocument.WithError("# ERROR: old\r\nname: x\r\nallowlist: []\r\n", "first\r\nsecond"));
        }
    }
}
