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

        [Fact]
        public void A_cached_key_is_used_without_a_read_while_the_version_seen_is_unchanged()
        {
            var reader = new FakeReader();
            var cache = new VerificationCache();
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            // The first hit sees a version not seen before through the reader: it forgets, and reads again.
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            Assert.Equal(2, reader.Reads);
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            Assert.Equal(2, reader.Reads);
            reader.Change("v2");
            Assert.Equal("v2", cache.Find(reader, 1).Name);
            Assert.Equal("v2", cache.Find(reader, 1).Name);
            Assert.Equal(3, reader.Reads);
        }

        [Fact]
        public void An_id_with_no_key_is_not_cached_so_a_key_made_with_it_later_is_found()
        {
            var reader = new FakeReader { Missing = true };
            reader.Tracker.See(reader.ChangeVersion());
            var cache = new VerificationCache();
            Assert.Null(cache.Find(reader, 1));
            reader.Missing = false;
            Assert.Equal("v1", cache.Find(reader, 1).Name);
        }

        [Fact]
        public void A_key_read_before_a_change_and_cached_after_it_is_not_used_and_the_next_read_replaces_it()
        {
            var reader = new FakeReader();
            reader.Tracker.See(reader.ChangeVersion());
            var cache = new VerificationCache();
            // Another thread notices a change while this one reads.
            reader.DuringRead = () => cache.Forget();
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            reader.DuringRead = null;
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            Assert.Equal(2, reader.Reads);
            Assert.Equal("v1", cache.Find(reader, 1).Name);
            Assert.Equal(2, reader.Reads);
        }

        [Fact]
        public void As_many_keys_as_the_bound_are_all_cached()
        {
            var reader = new FakeReader();
            reader.Tracker.See(reader.ChangeVersion());
            var cache = new VerificationCache();
            for (int id = 1; id <= VerificationCache.MaxKeys; id++)
            {
                cache.Find(reader, id);
            }
            cache.Find(reader, 1);
            cache.Find(reader, VerificationCache.MaxKeys);
            Assert.Equal(VerificationCache.MaxKeys, reader.Reads);
        }

        [Fact]
        public void Past_the_bound_every_key_is_forgotten_and_read_again()
        {
            var reader = new FakeReader();
            reader.Tracker.See(reader.ChangeVersion());
            var cache = new VerificationCache();
            for (int id = 1; id <= VerificationCache.MaxKeys + 1; id++)
            {
                cache.Find(reader, id);
            }
            Assert.Equal(0, cache.Count);
            cache.Find(reader, 1);
            Assert.Equal(VerificationCache.MaxKeys + 2, reader.Reads);
            cache.Find(reader, 1);
            Assert.Equal(VerificationCache.MaxKeys + 2, reader.Reads);
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

        /// <summary>A reader of one key per id, named after the store's version; counts its reads.</summary>
        private sealed class FakeReader : IKeyReader
        {
            private long version = 1;
            private string name = "v1";

            public int Reads { get; private set; }

            public bool Missing { get; set; }

            public Action DuringRead { get; set; }

            public ChangeTracker Tracker { get; } = new ChangeTracker();

            /// <summary>Another connection changes the key.</summary>
            public void Change(string newName)
            {
                version++;
                name = newName;
            }

            public long ChangeVersion() => version;

            public VerifiedKey ReadForVerification(int id)
            {
                Reads++;
                DuringRead?.Invoke();
                return Missing ? null : new VerifiedKey(name, new byte[] { 1 }, false, null, null, "");
            }
        }
    }
}
