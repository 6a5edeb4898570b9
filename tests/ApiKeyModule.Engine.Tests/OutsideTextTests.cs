using System;
using System.IO;
using System.Linq;
using Microsoft.Data.Sqlite;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>Text from outside (a client's request, a revocation reason) as the store keeps and gives it back.</summary>
    public class OutsideTextTests
    {
        private static readonly AllowlistEntry[] PoolOnly = { AllowlistEntry.Create("GET", "/pool") };

        private static bool IsRaw(char c) =>
            char.IsControl(c) || c == '\u2028' || c == '\u2029' || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

        [Theory]
        [InlineData("\u001b]0;pwned\u0007", "Forbidden: GET \u241b]0;pwned\u2407")]
        [InlineData("\u001b[31m", "Forbidden: GET \u241b[31m")]
        [InlineData("/a\nAction : Delete", "Forbidden: GET /a\u240aAction : Delete")]
        [InlineData("/a\u202efdp.exe", "Forbidden: GET /a\\u202Efdp.exe")]
        public void A_failed_request_is_stored_escaped(string resource, string details)
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    IssuedApiKey key = store.Create("svc", PoolOnly);
                    Assert.Equal(VerificationCode.Forbidden, store.Verify(key.Key, "GET", resource).Code);
                    Assert.Equal(details, store.ReadAuditLog().First().Details);
                }
                Assert.Equal(details, temp.Sql("SELECT details FROM audit_log ORDER BY id DESC LIMIT 1"));
            }
        }

        [Fact]
        public void The_verifier_logs_an_unknown_client_s_request_escaped_and_capped()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("svc", PoolOnly);
                }
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    Assert.Equal(VerificationCode.Malformed, verifier.Verify("x", "get", "\u001b[2J" + new string('A', 1024 * 1024)).Code);
                }
                string details = (string)temp.Sql("SELECT details FROM audit_log ORDER BY id DESC LIMIT 1");
                Assert.StartsWith("Malformed: GET \u241b[2J" + new string('A', 248) + "...[", details);
                Assert.EndsWith("[1048328 more characters not logged]", details);
            }
        }

        [SqliteOnlyFact("measures the file and its WAL (a server's pages compress repeated text); the cut itself is checked on both stores")]
        public void Twenty_requests_of_a_mebibyte_grow_the_store_by_far_less_than_one()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("svc", PoolOnly);
                }
                long before = StoreBytes(temp);
                using (ApiKeyStore store = temp.Open())
                {
                    string resource = new string('A', 1024 * 1024);
                    for (int i = 0; i < 20; i++)
                    {
                        store.Verify("1-" + new string('x', 64), "GET", resource);
                    }
                    // Alike (key, code, request): counted together in one entry.
                    ApiKeyAuditEntry failed = Assert.Single(store.ReadAuditLog(), e => e.Action == AuditAction.VerificationFailed);
                    Assert.Equal(20, failed.Count);
                }
                Assert.True(StoreBytes(temp) - before < 256 * 1024, $"the store grew by {StoreBytes(temp) - before} bytes");
            }
        }

        [Fact]
        public void A_reason_is_stored_escaped_on_the_key_and_in_the_log()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    IssuedApiKey key = store.Create("svc", PoolOnly);
                    ApiKey revoked = store.Revoke(key.Id, "lost\u001b[8mhidden\u001b[0m\nDelete");
                    const string shown = "lost\u241b[8mhidden\u241b[0m\u240aDelete";
                    Assert.Equal(shown, revoked.RevokedReason);
                    Assert.Equal(shown, store.Get(key.Id).RevokedReason);
                    Assert.Equal(shown, store.ReadAuditLog().First().Details);
                }
                Assert.Equal("lost\u241b[8mhidden\u241b[0m\u240aDelete", temp.Sql("SELECT revoked_reason FROM api_keys"));
            }
        }

        [Theory]
        [InlineData(501)]
        [InlineData(10_000_000)]
        public void A_reason_over_500_characters_is_refused_and_changes_nothing(int length)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", PoolOnly);
                var e = Assert.Throws<ApiKeyException>(() => store.Revoke(key.Id, new string('r', length)));
                Assert.Equal("InvalidReason", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
                Assert.False(store.Get(key.Id).Revoked);
                Assert.Equal(new[] { AuditAction.Create }, store.ReadAuditLog().Select(x => x.Action));
                Assert.True(store.Verify(key.Key).Valid);
            }
        }

        [Fact]
        public void A_reason_with_a_format_character_is_refused()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", PoolOnly);
                var e = Assert.Throws<ApiKeyException>(() => store.Revoke(key.Id, "see\u202etxt.exe"));
                Assert.Equal("InvalidReason", e.ErrorId);
                Assert.Contains("U+202E", e.Message);
                Assert.False(store.Get(key.Id).Revoked);
            }
        }

        [Fact]
        public void Raw_text_written_by_an_earlier_version_is_escaped_when_read()
        {
            using (var temp = new TempStore())
            {
                int id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Create("svc", PoolOnly).Id;
                }
                temp.Sql("UPDATE api_keys SET revoked = TRUE, revoked_reason = @reason WHERE id = @id", ("reason", "r\u001b[8m\u202e"), ("id", id));
                temp.Sql("INSERT INTO audit_log (at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id) VALUES " +
                         "(1, 'VerificationFailed', NULL, @name, @old, @new, @details, 'u', 'h', 1)",
                         ("name", "n\u0007"), ("old", "o\r"), ("new", "v\u200b"), ("details", "Forbidden: GET /a\nAction : Delete"));
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Equal("r\u241b[8m\\u202E", store.Get(id).RevokedReason);
                    Assert.Equal("r\u241b[8m\\u202E", store.List().Single().RevokedReason);
                    ApiKeyAuditEntry old = store.ReadAuditLog().Single(e => e.Time == UnixTime.FromMilliseconds(1));
                    Assert.Equal(("n\u2407", "o\u240d", "v\\u200B", "Forbidden: GET /a\u240aAction : Delete"), (old.KeyName, old.OldValue, old.NewValue, old.Details));
                    foreach (ApiKeyAuditEntry entry in store.ReadAuditLog())
                    {
                        Assert.DoesNotContain(string.Concat(entry.KeyName, entry.OldValue, entry.NewValue, entry.Details), IsRaw);
                    }
                }
            }
        }

        [Fact]
        public void An_unknown_method_is_escaped_in_the_error_and_its_target()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                var e = Assert.Throws<ApiKeyException>(() => store.Verify("x", "G\u001b[8mET", "/"));
                Assert.Equal("InvalidMethod", e.ErrorId);
                Assert.DoesNotContain(e.Message, IsRaw);
                Assert.Contains("G\u241b[8mET", e.Message);
                Assert.Equal("G\u241b[8mET", e.Target);
            }
        }

        [Fact]
        public void An_unknown_name_is_escaped_in_the_error()
        {
            var e = ApiKeyStore.NotFound("a\u001b]0;pwned\u0007\u202e");
            Assert.DoesNotContain(e.Message, IsRaw);
            Assert.Contains("'a\u241b]0;pwned\u2407\\u202E'", e.Message);
            Assert.Equal("a\u241b]0;pwned\u2407\\u202E", e.Target);
        }

        /// <summary>The bytes of the store and its WAL once every connection is closed.</summary>
        private static long StoreBytes(TempStore temp)
        {
            SqlitePool.Clear();
            return new[] { temp.Path_, temp.Path_ + "-wal" }.Where(File.Exists).Sum(p => new FileInfo(p).Length);
        }
    }
}
