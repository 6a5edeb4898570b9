using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// What a key document does to a store, applied as Edit-ApiKey applies it (-Yaml, or saved from the editor): the
    /// fields it sets or leaves alone, and the ErrorId of each bad document, which changes nothing.
    /// tests/Pester/Edit-ApiKey.Tests.ps1 shows how the cmdlet reports these (output, warnings, ErrorRecords).
    /// </summary>
    public class KeyDocumentApplyTests
    {
        /// <summary>
        /// As Edit-ApiKey applies a saved document: null when it is empty; else the key created, or the existing key
        /// updated with what the document changes (an <see cref="IssuedApiKey"/> after a reset), or the existing key
        /// itself when the document changes nothing.
        /// </summary>
        private static ApiKey Apply(ApiKeyStore store, string document, ApiKey existing = null)
        {
            KeySpec spec = KeyDocument.Parse(document, forExistingKey: existing != null);
            if (spec == null)
            {
                return null;
            }
            if (existing == null)
            {
                return store.Create(spec.Name, spec.Allowlist ?? new AllowlistEntry[0], spec.ExpiresAt);
            }
            ApiKeyChanges changes = spec.ChangesFrom(existing);
            return changes.IsEmpty ? existing : store.Update(existing, changes);
        }

        /// <summary>Two keys, so that a store is never empty: seed-one and seed-two.</summary>
        private static IssuedApiKey[] Seed(ApiKeyStore store) => new[]
        {
            store.Create("seed-one", new[] { AllowlistEntry.Create("CALL", "system.info") }),
            store.Create("seed-two", new[] { AllowlistEntry.Create("GET", "/pool"), AllowlistEntry.Create("POST", "/pool/*") }),
        };

        /// <summary>Everything about the keys of a store that a document could change, one line per key.</summary>
        private static string Snapshot(ApiKeyStore store) =>
            string.Join("\n", store.List().Select(k => $"{k.Id}|{k.Name}|{Show(k.Allowlist)}|{k.ExpiresAt?.ToString("o") ?? "never"}|{k.Revoked}"));

        private static string Show(IEnumerable<AllowlistEntry> allowlist) => string.Join("; ", allowlist.Select(e => e.ToString()));

        [Fact]
        public void The_new_key_template_applied_as_it_is_is_refused_with_InvalidName_because_the_name_is_required()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Assert.Equal("InvalidName", Assert.Throws<ApiKeyException>(() => Apply(store, KeyDocument.Template())).ErrorId);
                Assert.Empty(store.List());
            }
        }

        [Fact]
        public void A_new_key_is_created_from_the_template_with_the_name_filled_in_and_the_optional_fields_uncommented()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                string document = KeyDocument.Template();
                document = Regex.Replace(document, @"(?m)^name: $", "name: from-template");
                document = Regex.Replace(document, @"(?m)^# allowlist: \[\]$", "allowlist: [{method: GET, resource: /pool}]");
                document = Regex.Replace(document, @"(?m)^# expires_at: null$", "expires_at: null");
                ApiKey created = Apply(store, document);
                Assert.Equal("from-template", created.Name);
                Assert.Equal("GET /pool", Show(store.Get(created.Id).Allowlist));
                Assert.Null(store.Get(created.Id).ExpiresAt);
            }
        }

        [Theory]
        [InlineData("")]
        [InlineData("  \n\n")]
        [InlineData("# name: x\n# allowlist: []\n")]
        public void A_document_that_is_empty_white_space_or_only_comments_changes_nothing(string document)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Seed(store);
                string before = Snapshot(store);
                Assert.Null(Apply(store, document));
                Assert.Equal(before, Snapshot(store));
            }
        }

        [Fact]
        public void Names_and_resources_are_quoted_so_that_the_document_reads_back_as_the_same_key()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Seed(store);
                IssuedApiKey odd = store.Create("Büro \"quoted\" \\ back # not: a comment", new[] { AllowlistEntry.Create("GET", "/a b/\"c\"\\d: #e") });
                string before = Snapshot(store);
                ApiKey existing = store.Get(odd.Id);
                Assert.Same(existing, Apply(store, KeyDocument.Template(existing), existing));
                Assert.Equal(before, Snapshot(store));
            }
        }

        [Fact]
        public void Allowlist_empty_clears_the_allowlist()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("target", new[] { AllowlistEntry.Create("CALL", "system.info"), AllowlistEntry.Create("GET", "/pool") });
                Apply(store, "allowlist: []", store.Get(key.Id));
                Assert.Empty(store.Get(key.Id).Allowlist);
            }
        }

        [Fact]
        public void Expires_at_sets_an_expiry_and_null_removes_it()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("target", new[] { AllowlistEntry.Create("CALL", "system.info") });
                Apply(store, "expires_at: 2032-03-04T05:06:07Z", store.Get(key.Id));
                Assert.Equal(new DateTime(2032, 3, 4, 5, 6, 7, DateTimeKind.Utc), store.Get(key.Id).ExpiresAt);
                Apply(store, "expires_at: null", store.Get(key.Id));
                Assert.Null(store.Get(key.Id).ExpiresAt);
            }
        }

        [Fact]
        public void Reset_false_keeps_the_key_and_issues_no_new_one()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("target", new[] { AllowlistEntry.Create("CALL", "system.info") });
                ApiKey updated = Apply(store, "reset: false\nname: kept", store.Get(key.Id));
                Assert.IsNotType<IssuedApiKey>(updated);
                Assert.Equal("kept", store.Get(key.Id).Name);
                Assert.True(store.Verify(key.Key).Valid);
            }
        }

        [Fact]
        public void The_pre_filled_document_applied_unchanged_changes_nothing_also_for_an_expiry_with_milliseconds()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Seed(store);
                // An expiry as (Get-Date).AddDays(30) gives: the store keeps milliseconds.
                IssuedApiKey expiring = store.Create("expiring", new AllowlistEntry[0], new DateTime(2031, 5, 6, 7, 8, 9, 123, DateTimeKind.Utc));
                string before = Snapshot(store);
                ApiKey existing = store.Get(expiring.Id);
                Assert.Same(existing, Apply(store, KeyDocument.Template(existing), existing));
                Assert.Equal("2031-05-06T07:08:09.1230000Z", store.Get(expiring.Id).ExpiresAt.Value.ToString("o"));
                Assert.Equal(before, Snapshot(store));
            }
        }

        [Theory]
        [InlineData(1700000000000L)]   // 2023-11-14T22:13:20Z
        [InlineData(1700000000500L)]   // 2023-11-14T22:13:20.500Z
        public void An_expired_key_is_renamed_through_its_pre_filled_document_the_expiry_left_as_it_is(long expiredAt)
        {
            using (var temp = new TempStore())
            {
                int id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Create("expired", new AllowlistEntry[0], DateTime.UtcNow.AddDays(1)).Id;
                }
                // The store keeps the expiry as milliseconds since 1970; a past one cannot be set through the engine.
                temp.Sql("UPDATE api_keys SET expires_at = @at WHERE id = @id", ("at", expiredAt), ("id", id));
                using (ApiKeyStore store = temp.Open())
                {
                    ApiKey existing = store.Get(id);
                    string document = Regex.Replace(KeyDocument.Template(existing), "(?m)^name: \"expired\"$", "name: \"expired-renamed\"");
                    Apply(store, document, existing);
                    ApiKey got = store.Get(id);
                    Assert.Equal("expired-renamed", got.Name);
                    Assert.Equal(DateTime.UnixEpoch.AddMilliseconds(expiredAt), got.ExpiresAt);
                }
            }
        }

        [Theory]
        [InlineData("name: [unclosed\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // not YAML
        [InlineData("- name: x\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // a list
        [InlineData("name: x\ncolour: blue\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // an unknown field
        [InlineData("name: x\nreset: true\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // a field of existing keys only
        [InlineData("name: x\nname: y\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // a field given twice
        [InlineData("name: x\nallowlist: [{method: FETCH, resource: system.info}]\n", "InvalidAllowlistEntry", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("allowlist: []\n", "InvalidName", ApiKeyErrorCategory.InvalidArgument)]   // no name
        [InlineData("name: ''\n", "InvalidName", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n", "InvalidName", ApiKeyErrorCategory.InvalidArgument)]   // 201 characters
        [InlineData("name: !!python/object:os.system x\n", "UnsafeKeyDocument", ApiKeyErrorCategory.SecurityError)]
        [InlineData("name: !!python/object/apply:os.system [echo]\n", "UnsafeKeyDocument", ApiKeyErrorCategory.SecurityError)]
        [InlineData("name: x\nexpires_at: 2001-01-01T00:00:00Z\n", "ExpirationInPast", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: x\nexpires_at: soon\n", "InvalidExpiry", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: SEED-ONE\n", "DuplicateName", ApiKeyErrorCategory.ResourceExists)]   // another key's name in another case
        public void A_bad_document_for_a_new_key_fails_with_its_ErrorId_and_changes_nothing(string document, string errorId, ApiKeyErrorCategory category)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                Seed(store);
                string before = Snapshot(store);
                var e = Assert.Throws<ApiKeyException>(() => Apply(store, document));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(category, e.Category);
                Assert.Equal(before, Snapshot(store));
            }
        }

        [Theory]
        [InlineData("name: renamed\nallowlist: [unclosed\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // not YAML
        [InlineData("name: renamed\nrest: true\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // an unknown field
        [InlineData("name: renamed\nreset: maybe\n", "InvalidKeyDocument", ApiKeyErrorCategory.InvalidArgument)]   // reset not true or false
        [InlineData("name: renamed\nallowlist: [{method: FETCH, resource: /x}]\n", "InvalidAllowlistEntry", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: ''\nreset: true\n", "InvalidName", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: renamed\nallowlist: !!python/object:os.system [x]\n", "UnsafeKeyDocument", ApiKeyErrorCategory.SecurityError)]
        [InlineData("name: renamed\nexpires_at: 2001-01-01T00:00:00Z\nreset: true\n", "ExpirationInPast", ApiKeyErrorCategory.InvalidArgument)]
        [InlineData("name: seed-two\nreset: true\n", "DuplicateName", ApiKeyErrorCategory.ResourceExists)]   // another key's name
        public void A_bad_document_for_an_existing_key_fails_with_its_ErrorId_and_changes_nothing(string document, string errorId, ApiKeyErrorCategory category)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey[] seeds = Seed(store);
                string before = Snapshot(store);
                var e = Assert.Throws<ApiKeyException>(() => Apply(store, document, store.Get(seeds[0].Id)));
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(category, e.Category);
                Assert.Equal(before, Snapshot(store));
                Assert.True(store.Verify(seeds[0].Key).Valid);
            }
        }
    }
}
