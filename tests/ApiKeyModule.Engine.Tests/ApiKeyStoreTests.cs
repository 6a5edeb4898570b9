using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class ApiKeyStoreTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("call", "system.info") };

        [Fact]
        public void Create_returns_the_record_and_a_key_that_starts_with_its_id()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("first", Info);
                Assert.Equal(1, key.Id);
                Assert.Matches("^1-[A-Za-z0-9]{64}$", key.Key);
                Assert.Equal(DateTimeKind.Utc, key.CreatedAt.Kind);
                Assert.InRange(key.CreatedAt, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
                Assert.Equal("CALL system.info", Assert.Single(key.Allowlist).ToString());
            }
        }

        [Fact]
        public void Only_a_hash_of_the_secret_is_stored_with_its_algorithm()
        {
            using (var temp = new TempStore())
            {
                string secret;
                using (ApiKeyStore store = temp.Open())
                {
                    secret = store.Create("k", Info).Key.Split('-')[1];
                }
                Assert.Equal("sha256", temp.Sql("SELECT hash_algorithm FROM api_keys"));
                Assert.Equal(KeySecret.Hash(secret), (byte[])temp.Sql("SELECT key_hash FROM api_keys"));
                Assert.Equal(0L, temp.Sql($"SELECT count(*) FROM api_keys WHERE key_hash LIKE '%{secret}%' OR name LIKE '%{secret}%'"));
            }
        }

        [Fact]
        public void Records_read_back_as_written()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey created;
                using (ApiKeyStore store = temp.Open())
                {
                    created = store.Create("my key", new[] { AllowlistEntry.Create("GET", "/pool"), AllowlistEntry.Create("*", "disk.*_info") });
                }
                using (ApiKeyStore store = temp.Open())
                {
                    ApiKey read = store.Get(created.Id);
                    Assert.Equal("my key", read.Name);
                    Assert.Equal(created.CreatedAt, read.CreatedAt);
                    Assert.Equal(new[] { "GET /pool", "* disk.*_info" }, read.Allowlist.Select(e => e.ToString()));
                    Assert.Equal(created.Id, store.GetByName("MY KEY").Id);
                }
            }
        }

        [Fact]
        public void Names_are_unique_ignoring_case_and_nothing_is_written_for_a_duplicate()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("Backup", Info);
                var e = Assert.Throws<ApiKeyException>(() => store.Create("bACKUP", Info));
                Assert.Equal("DuplicateName", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.ResourceExists, e.Category);
                Assert.Contains("Id 1", e.Message);
                Assert.Single(store.List());
            }
        }

        [Fact]
        public void Ids_are_never_reused_after_a_delete()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("a", Info);
                int second = store.Create("b", Info).Id;
                store.Delete(second);
                Assert.Equal(second + 1, store.Create("c", Info).Id);
            }
        }

        [Fact]
        public void Prefix_listing_ignores_case_and_keeps_id_order()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                foreach (string name in new[] { "old-b", "new", "OLD-a", "older", "ol" })
                {
                    store.Create(name, Info);
                }
                Assert.Equal(new[] { "old-b", "OLD-a", "older" }, store.ListByNamePrefix("old").Select(k => k.Name));
                Assert.Equal(5, store.ListByNamePrefix("").Count());
            }
        }

        [Fact]
        public void Update_renames_replaces_the_allowlist_and_resets()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey created = store.Create("a", Info);
                byte[] oldHash = (byte[])temp.Sql("SELECT key_hash FROM api_keys");
                ApiKey renamed = store.Update(created.Id, new ApiKeyChanges { Name = "b", Allowlist = new AllowlistEntry[0] });
                Assert.IsNotType<IssuedApiKey>(renamed);
                Assert.Equal("b", store.Get(created.Id).Name);
                Assert.Empty(store.Get(created.Id).Allowlist);

                var reset = Assert.IsType<IssuedApiKey>(store.Update(created.Id, new ApiKeyChanges { Reset = true }));
                Assert.NotEqual(created.Key, reset.Key);
                Assert.StartsWith(created.Id + "-", reset.Key);
                Assert.Equal(KeySecret.Hash(reset.Key.Split('-')[1]), (byte[])temp.Sql("SELECT key_hash FROM api_keys"));
                Assert.NotEqual(oldHash, (byte[])temp.Sql("SELECT key_hash FROM api_keys"));
            }
        }

        [Fact]
        public void Update_errors_leave_the_record_as_it_was()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("a", Info);
                int b = store.Create("b", Info).Id;
                Assert.Equal("DuplicateName", Assert.Throws<ApiKeyException>(() => store.Update(b, new ApiKeyChanges { Name = "A", Reset = true })).ErrorId);
                Assert.Equal("NoChangeRequested", Assert.Throws<ApiKeyException>(() => store.Update(b, new ApiKeyChanges())).ErrorId);
                Assert.Equal("ApiKeyNotFound", Assert.Throws<ApiKeyException>(() => store.Update(99, new ApiKeyChanges { Reset = true })).ErrorId);
                Assert.Equal("InvalidName", Assert.Throws<ApiKeyException>(() => store.Update(b, new ApiKeyChanges { Name = " b" })).ErrorId);
                Assert.Equal("b", store.Get(b).Name);
            }
        }

        [Fact]
        public void Delete_of_an_unknown_id_is_not_found()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                var e = Assert.Throws<ApiKeyException>(() => store.Delete(7));
                Assert.Equal("ApiKeyNotFound", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.ObjectNotFound, e.Category);
            }
        }

        [SqliteOnlyFact("SQLite's journal mode and user_version; PostgresStoreTests checks a new schema")]
        public void A_new_store_uses_wal_full_sync_and_the_current_schema_version()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open()) { }
                Assert.Equal("wal", temp.Sql("PRAGMA journal_mode"));
                Assert.Equal((long)StoreSchema.CurrentVersion, temp.Sql("PRAGMA user_version"));
            }
        }

        [SqliteOnlyFact("compares the file's bytes; PostgresStoreTests checks a newer schema")]
        public void A_store_newer_than_the_module_is_refused_and_left_untouched()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open()) { store.Create("a", Info); }
                temp.Sql($"PRAGMA user_version = {StoreSchema.CurrentVersion + 1}");
                SqlitePool.Clear();
                byte[] before = File.ReadAllBytes(temp.Path_);
                var e = Assert.Throws<ApiKeyException>(() => temp.Open());
                Assert.Equal("StoreSchemaTooNew", e.ErrorId);
                SqlitePool.Clear();
                Assert.Equal(before, File.ReadAllBytes(temp.Path_));
            }
        }

        [SqliteOnlyFact("a file that is not a database")]
        public void A_file_that_is_not_sqlite_is_refused_and_left_untouched()
        {
            using (var temp = new TempStore())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(temp.Path_));
                File.WriteAllText(temp.Path_, "name,allowlist\nnot,a database\n");
                var e = Assert.Throws<ApiKeyException>(() => temp.Open());
                Assert.Equal("StoreNotRecognized", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.InvalidData, e.Category);
                Assert.Equal("name,allowlist\nnot,a database\n", File.ReadAllText(temp.Path_));
            }
        }

        [SqliteOnlyFact("another application's SQLite file; PostgresStoreTests checks another application's schema")]
        public void Another_applications_database_is_refused()
        {
            using (var temp = new TempStore())
            {
                Directory.CreateDirectory(Path.GetDirectoryName(temp.Path_));
                temp.Sql("CREATE TABLE notes (body TEXT)");
                Assert.Equal("StoreNotRecognized", Assert.Throws<ApiKeyException>(() => temp.Open()).ErrorId);
            }
        }

        [SqliteOnlyFact("a folder given as the store's path")]
        public void A_folder_as_store_path_is_refused()
        {
            using (var temp = new TempStore())
            {
                var e = Assert.Throws<ApiKeyException>(() => ApiKeyStore.Open(temp.Folder));
                Assert.Equal("StoreUnavailable", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.OpenError, e.Category);
            }
        }

        [SqliteOnlyFact("the file's and its folder's modes")]
        public void On_unix_the_store_is_private_from_creation()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("a", Info);
                    // Checked while the store is open: closing the last connection (other tests clear the pool at any
                    // moment) removes the -wal file.
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Path_ + "-wal"));
                }
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(temp.Path_));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute,
                    File.GetUnixFileMode(Path.GetDirectoryName(temp.Path_)));
            }
        }

        [Fact]
        public void The_environment_variable_overrides_the_default_location()
        {
            string saved = Environment.GetEnvironmentVariable(StoreLocation.EnvironmentVariable);
            try
            {
                string elsewhere = Path.Combine(Path.GetTempPath(), "elsewhere", "keys.db");
                Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, elsewhere);
                Assert.Equal(elsewhere, StoreLocation.Resolve());
                Assert.Equal(Path.GetFullPath("given.db"), StoreLocation.Resolve("given.db"));
                Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, null);
                Assert.Equal(StoreLocation.Default(), StoreLocation.Resolve());
                Assert.EndsWith(Path.Combine("ApiKeyModule", "apikeys.db"), StoreLocation.Default());
            }
            finally
            {
                Environment.SetEnvironmentVariable(StoreLocation.EnvironmentVariable, saved);
            }
        }
    }
}
