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
    }
}
