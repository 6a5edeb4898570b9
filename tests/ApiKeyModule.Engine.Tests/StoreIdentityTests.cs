using System;
using System.IO;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>A store's identity, and key objects that change only the store they were read from.</summary>
    public class StoreIdentityTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        [Fact]
        public void A_new_store_has_an_identity_that_it_keeps_when_reopened()
        {
            using (var temp = new TempStore())
            {
                Guid id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Id;
                    Assert.NotEqual(Guid.Empty, id);
                }
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Equal(id, store.Id);
                }
            }
        }

        [SqliteOnlyFact("moves the store file")]
        public void A_store_file_keeps_its_identity_when_moved()
        {
            using (var temp = new TempStore())
            {
                Guid id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Id;
                }
                SqlitePool.Clear();
                string moved = Path.Combine(temp.Folder, "moved.db");
                File.Move(temp.Path_, moved);
                using (ApiKeyStore store = ApiKeyStore.Open(moved))
                {
                    Assert.Equal(id, store.Id);
                    Assert.Equal(moved, store.Path);
                }
            }
        }

        [Fact]
        public void Two_stores_have_different_identities()
        {
            using (var a = new TempStore())
            using (var b = new TempStore())
            using (ApiKeyStore first = a.Open())
            using (ApiKeyStore second = b.Open())
            {
                Assert.NotEqual(first.Id, second.Id);
            }
        }

        [SqliteOnlyFact("a store file of SQLite's second schema version")]
        public void A_store_of_the_second_schema_version_gets_an_identity_on_upgrade()
        {
            using (var temp = new TempStore())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(temp.Path_));
                temp.Sql(StoreSchema.Migrations[0] + StoreSchema.Migrations[1] + "PRAGMA user_version = 2;");
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.NotEqual(Guid.Empty, store.Id);
                    Assert.Equal(store.Id.ToString(), temp.Sql("SELECT value FROM store_info WHERE key = 'id'"));
                }
            }
        }

        [Fact]
        public void Every_record_carries_the_identity_and_location_of_its_store()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey issued = store.Create("k", Info);
                ApiKey revoked = store.Revoke(issued.Id, "r");
                ApiKey updated = store.Update(issued.Id, new ApiKeyChanges { Name = "k2" });
                foreach (ApiKey key in new[] { issued, store.Get(issued.Id), store.GetByName("k2"), store.List().Single(), revoked, updated })
                {
                    Assert.Equal(store.Id, key.StoreId);
                    Assert.Equal(temp.Path_, key.Store);
                }
                Assert.All(store.ReadAuditLog(), entry =>
                {
                    Assert.Equal(store.Id, entry.StoreId);
                    Assert.Equal(temp.Path_, entry.Store);
                });
            }
        }

        [Fact]
        public void A_key_from_another_store_changes_nothing_there()
        {
            using (var a = new TempStore())
            using (var b = new TempStore())
            using (ApiKeyStore home = a.Open())
            using (ApiKeyStore other = b.Open())
            {
                IssuedApiKey fromHome = home.Create("same", Info);
                other.Create("same", Info);
                foreach (Action change in new Action[]
                {
                    () => other.Update(fromHome, new ApiKeyChanges { Name = "x" }),
                    () => other.Revoke(fromHome, "x"),
                    () => other.Delete(fromHome),
                    () => other.Find(fromHome),
                })
                {
                    var e = Assert.Throws<ApiKeyException>(change);
                    Assert.Equal("KeyFromOtherStore", e.ErrorId);
                    Assert.Equal(ApiKeyErrorCategory.InvalidArgument, e.Category);
                    Assert.Contains(a.Path_, e.Message);
                    Assert.Contains(b.Path_, e.Message);
                }
                ApiKey untouched = other.Get(fromHome.Id);
                Assert.Equal("same", untouched.Name);
                Assert.False(untouched.Revoked);
                Assert.Single(other.ReadAuditLog());
            }
        }

        [Fact]
        public void A_stale_key_object_does_not_change_the_key_that_now_has_its_id()
        {
            using (var temp = new TempStore())
            {
                string backup = temp.Path_ + ".bak";
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("first", Info);
                }
                if (!TempStore.IsPostgres)
                {
                    SqlitePool.Clear();
                    File.Copy(temp.Path_, backup);
                }
                IssuedApiKey stale;
                using (ApiKeyStore store = temp.Open())
                {
                    stale = store.Create("made-after-the-backup", Info);
                }
                if (TempStore.IsPostgres)
                {
                    // The schema as a restore of a dump taken before the second key would leave it: the key gone, its id free again.
                    temp.Sql("DELETE FROM api_keys WHERE id = @id", ("id", stale.Id));
                    temp.Sql($"ALTER TABLE api_keys ALTER COLUMN id RESTART WITH {stale.Id}");
                }
                else
                {
                    SqlitePool.Clear();
                    File.Copy(backup, temp.Path_, overwrite: true);
                }
                System.Threading.Thread.Sleep(5);
                using (ApiKeyStore store = temp.Open())
                {
                    IssuedApiKey current = store.Create("same-id", Info);
                    Assert.Equal(stale.Id, current.Id);
                    foreach (Action change in new Action[]
                    {
                        () => store.Update(stale, new ApiKeyChanges { Reset = true }),
                        () => store.Revoke(stale, "x"),
                        () => store.Delete(stale),
                    })
                    {
                        Assert.Equal("ApiKeyNotFound", Assert.Throws<ApiKeyException>(change).ErrorId);
                    }
                    Assert.True(store.Verify(current.Key).Valid);
                    store.Delete(current);
                    Assert.Null(store.Get(current.Id));
                }
            }
        }

        [Fact]
        public void State_says_whether_a_key_can_be_used_now()
        {
            var key = new ApiKey { ExpiresAt = DateTime.UtcNow.AddMinutes(1) };
            Assert.Equal(ApiKeyState.Active, key.State);
            key.ExpiresAt = DateTime.UtcNow.AddMilliseconds(-1);
            Assert.Equal(ApiKeyState.Expired, key.State);
            key.Revoked = true;
            Assert.Equal(ApiKeyState.Revoked, key.State);
            Assert.Equal(ApiKeyState.Active, new ApiKey().State);
        }

        [Fact]
        public void An_allowlist_as_text_is_the_JSON_the_TrueNAS_CLI_takes_and_reads_back()
        {
            var allowlist = AllowlistRules.Normalize(new[] { AllowlistEntry.Create("call", "system.*"), AllowlistEntry.Create("GET", "/a \"b\" \\c") });
            string json = allowlist.ToString();
            Assert.Equal("[{\"method\":\"CALL\",\"resource\":\"system.*\"},{\"method\":\"GET\",\"resource\":\"/a \\\"b\\\" \\\\c\"}]", json);
            Assert.Equal(allowlist, AllowlistDocument.Parse(json));
            Assert.Equal("[]", AllowlistRules.Normalize(new AllowlistEntry[0]).ToString());
        }
    }
}
