using System.IO;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>Opening a store only when it exists, and opening again the store a key object was read from.</summary>
    public class StoreOpeningTests
    {
        [SqliteOnlyFact("whether a file is made")]
        public void Where_there_is_no_store_nothing_is_opened_and_nothing_is_created()
        {
            using (var temp = new TempStore())
            {
                Assert.Null(ApiKeyStore.OpenIfExists(temp.Location));
                Assert.False(File.Exists(temp.Path_));
                Assert.Null(ApiKeyStore.Reopen(new ApiKey { Store = temp.Location }));
                Assert.False(File.Exists(temp.Path_));
            }
        }

        [SqliteOnlyFact("a store file")]
        public void An_existing_store_is_opened()
        {
            using (var temp = new TempStore())
            {
                System.Guid id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Id;
                }
                using (ApiKeyStore store = ApiKeyStore.OpenIfExists(temp.Location))
                {
                    Assert.Equal(id, store.Id);
                }
            }
        }

        [SqliteOnlyFact("a folder given as the store's path")]
        public void A_folder_in_the_way_is_reported_not_taken_for_no_store()
        {
            using (var temp = new TempStore())
            {
                Assert.Equal("StoreUnavailable", Assert.Throws<ApiKeyException>(() => ApiKeyStore.OpenIfExists(temp.Folder)).ErrorId);
            }
        }

        [SqliteOnlyFact("removing the store file")]
        public void A_key_objects_store_is_opened_again_where_it_was_read_and_not_made_again_once_gone()
        {
            using (var temp = new TempStore())
            {
                ApiKey key;
                using (ApiKeyStore store = temp.Open())
                {
                    key = store.Create("svc", new AllowlistEntry[0]);
                }
                // Where it was opened counts, not the path it shows.
                var moved = new ApiKey(key) { Store = Path.Combine(temp.Folder, "elsewhere.db") };
                using (ApiKeyStore again = ApiKeyStore.Reopen(moved))
                {
                    Assert.Equal(key.StoreId, again.Id);
                }
                // A key object without an origin (rebuilt from its fields) is found by the path it shows.
                using (ApiKeyStore again = ApiKeyStore.Reopen(new ApiKey { Store = temp.Location }))
                {
                    Assert.Equal(key.StoreId, again.Id);
                }
                SqlitePool.Clear();
                foreach (string file in Directory.GetFiles(Path.GetDirectoryName(temp.Path_)))
                {
                    File.Delete(file);
                }
                Assert.Null(ApiKeyStore.Reopen(key));
                Assert.False(File.Exists(temp.Path_));
            }
        }
    }
}
