using System;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A store keeps the keys it has verified in memory: every change, made by it, by another store (connection) or by
    /// another tool on the file, must show in the very next verification. On PostgreSQL, a change made by another client
    /// of the server (another host) must show within a second.
    /// </summary>
    public class VerificationCacheTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };
        private static readonly AllowlistEntry[] DiskAll = { AllowlistEntry.Create("CALL", "disk.*") };

        public enum Writer { SameStore, OtherStore, OtherTool }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        [InlineData(Writer.OtherTool)]
        public void A_revocation_shows_at_once(Writer writer)
        {
            Check(writer, (store, key) => store.Revoke(key.Id, "leaked"), "UPDATE api_keys SET revoked = TRUE",
                (verifier, key, _) => Assert.Equal(VerificationCode.Revoked, verifier.Verify(key.Key).Code));
        }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        [InlineData(Writer.OtherTool)]
        public void A_deletion_shows_at_once(Writer writer)
        {
            Check(writer, (store, key) => { store.Delete(key.Id); return null; }, "DELETE FROM api_keys",
                (verifier, key, _) => Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Key).Code));
        }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        [InlineData(Writer.OtherTool)]
        public void A_new_allowlist_shows_at_once(Writer writer)
        {
            Check(writer, (store, key) => store.Update(key.Id, new ApiKeyChanges { Allowlist = DiskAll }),
                "UPDATE api_keys SET allowlist = 'CALL disk.*'",
                (verifier, key, _) =>
                {
                    Assert.Equal(VerificationCode.Forbidden, verifier.Verify(key.Key, "CALL", "system.info").Code);
                    Assert.True(verifier.Verify(key.Key, "CALL", "disk.query").Valid);
                });
        }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        public void A_reset_refuses_the_old_key_and_accepts_the_new_one_at_once(Writer writer)
        {
            Check(writer, (store, key) => store.Update(key.Id, new ApiKeyChanges { Reset = true }), null,
                (verifier, key, reset) =>
                {
                    Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Key).Code);
                    Assert.True(verifier.Verify(((IssuedApiKey)reset).Key).Valid);
                });
        }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        [InlineData(Writer.OtherTool)]
        public void A_rename_shows_in_the_next_result(Writer writer)
        {
            Check(writer, (store, key) => store.Update(key.Id, new ApiKeyChanges { Name = "renamed" }), "UPDATE api_keys SET name = 'renamed', name_folded = 'RENAMED'",
                (verifier, key, _) => Assert.Equal("renamed", verifier.Verify(key.Key).Name));
        }

        [Fact]
        public void A_verifier_sees_a_change_made_while_it_was_idle_and_after_an_unrelated_write()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                IssuedApiKey bystander = store.Create("bystander", SystemAll);
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    Assert.True(verifier.Verify(key.Key).Valid);
                    Assert.True(verifier.Verify(bystander.Key).Valid);
                    // The verifier's own writes (a failure's audit row) must not hide others' changes.
                    Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('x', 64)).Code);
                    store.Create("unrelated", SystemAll);
                    Assert.True(verifier.Verify(key.Key).Valid);
                    store.Revoke(key.Id, null);
                    Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('y', 64)).Code);
                    Assert.Equal(VerificationCode.Revoked, verifier.Verify(key.Key).Code);
                    Assert.True(verifier.Verify(bystander.Key).Valid);
                }
            }
        }

        /// <summary>
        /// Verifies (so the key is cached), changes it through <paramref name="writer"/> (<paramref name="sql"/> for another
        /// tool), and checks the next verification with what the change returned.
        /// </summary>
        private static void Check(Writer writer, Func<ApiKeyStore, IssuedApiKey, ApiKey> change, string sql, Action<ApiKeyStore, IssuedApiKey, ApiKey> expect)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            using (ApiKeyStore other = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                Assert.True(store.Verify(key.Key).Valid);
                Assert.True(store.Verify(key.Key, "CALL", "system.info").Valid);
                ApiKey changed = null;
                switch (writer)
                {
                    case Writer.SameStore:
                        changed = change(store, key);
                        break;
                    case Writer.OtherStore:
                        changed = change(other, key);
                        break;
                    default:
                        temp.Sql(sql + " WHERE id = " + key.Id);
                        break;
                }
                if (TempStore.IsPostgres && writer == Writer.OtherTool)
                {
                    // Another client of the server, as another host would be: the change reaches the verifier through the
                    // server's announcement, within the bound of a second.
                    Within.OneSecond(() => expect(store, key, changed));
                }
                else
                {
                    expect(store, key, changed);
                }
            }
        }
    }
}
