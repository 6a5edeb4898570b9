using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class VerificationTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };

        [Fact]
        public void A_genuine_key_is_valid_and_names_the_entry_that_allowed_the_call()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                ApiKeyVerification plain = store.Verify(key.Key);
                Assert.True(plain.Valid);
                Assert.Equal(key.Id, plain.Id);
                Assert.Equal("svc", plain.Name);
                ApiKeyVerification call = store.Verify("  " + key.Key + "\n", "call", "system.info");
                Assert.Equal(VerificationCode.Valid, call.Code);
                Assert.Equal("CALL system.*", call.AllowedBy.ToString());
            }
        }

        [Fact]
        public void Each_refusal_has_its_code()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                IssuedApiKey empty = store.Create("empty", new AllowlistEntry[0]);
                string wrongSecret = key.Id + "-" + new string('x', 64);

                Assert.Equal(VerificationCode.Malformed, store.Verify("not a key").Code);
                Assert.Equal(VerificationCode.NotFound, store.Verify("999-" + new string('x', 64)).Code);
                ApiKeyVerification wrong = store.Verify(wrongSecret);
                Assert.Equal(VerificationCode.NotFound, wrong.Code);
                Assert.Null(wrong.Id);
                Assert.Null(wrong.Name);
                Assert.Equal(VerificationCode.Forbidden, store.Verify(key.Key, "CALL", "disk.info").Code);
                Assert.Equal(VerificationCode.Forbidden, store.Verify(empty.Key, "CALL", "system.info").Code);
                Assert.True(store.Verify(empty.Key).Valid);

                store.Revoke(key.Id, "leaked");
                Assert.Equal(VerificationCode.Revoked, store.Verify(key.Key).Code);
                Assert.Equal("leaked", store.Get(key.Id).RevokedReason);
            }
        }

        [Fact]
        public void An_expired_key_fails_with_expired()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("soon", SystemAll, DateTime.UtcNow.AddMilliseconds(300));
                Assert.True(store.Verify(key.Key).Valid);
                System.Threading.Thread.Sleep(400);
                Assert.Equal(VerificationCode.Expired, store.Verify(key.Key).Code);
                store.Update(key.Id, new ApiKeyChanges { NeverExpires = true });
                Assert.True(store.Verify(key.Key).Valid);
                Assert.Null(store.Get(key.Id).ExpiresAt);
            }
        }

        [Fact]
        public void An_expiry_in_the_past_is_refused()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                var e = Assert.Throws<ApiKeyException>(() => store.Create("late", SystemAll, DateTime.UtcNow.AddMinutes(-1)));
                Assert.Equal("ExpirationInPast", e.ErrorId);
                Assert.StartsWith("Expiration date is in the past", e.Message);
                Assert.Empty(store.List());
                int id = store.Create("k", SystemAll).Id;
                Assert.Equal("ExpirationInPast", Assert.Throws<ApiKeyException>(() => store.Update(id, new ApiKeyChanges { ExpiresAt = DateTime.Now.AddDays(-1) })).ErrorId);
            }
        }

        [Fact]
        public void Reset_invalidates_the_old_key_at_once_and_unrevokes()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                store.Revoke(old.Id, "lost laptop");
                var fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true });
                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Key).Code);
                Assert.True(store.Verify(fresh.Key).Valid);
                Assert.False(store.Get(old.Id).Revoked);
                Assert.Null(store.Get(old.Id).RevokedReason);
            }
        }

        [Fact]
        public void Last_use_is_recorded_to_within_a_minute_without_a_write_per_verification()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key;
                using (ApiKeyStore store = temp.Open())
                {
                    key = store.Create("svc", SystemAll);
                    Assert.Null(store.Get(key.Id).LastUsedAt);
                    store.Verify(key.Key);
                    // Recorded in memory: another connection does not see it yet...
                    Assert.IsType<DBNull>(temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}"));
                    // ...this store reads it back (it writes what it recorded first).
                    DateTime? first = store.Get(key.Id).LastUsedAt;
                    Assert.NotNull(first);
                    for (int i = 0; i < 50; i++)
                    {
                        store.Verify(key.Key);
                    }
                    Assert.Equal(first, store.Get(key.Id).LastUsedAt);
                }
                // Two minutes later, as seen from a new process: the next verification records the use again.
                temp.Sql($"UPDATE api_keys SET last_used_at = last_used_at - 120000 WHERE id = {key.Id}");
                DateTime rewound = UnixTime.FromMilliseconds((long)temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}"));
                using (ApiKeyStore store = temp.Open())
                {
                    store.Verify(key.Key);
                }
                // Closing the store wrote the use.
                Assert.True(UnixTime.FromMilliseconds((long)temp.Sql($"SELECT last_used_at FROM api_keys WHERE id = {key.Id}")) > rewound.AddSeconds(100));
            }
        }

        [Fact]
        public void A_request_needs_both_method_and_resource_and_a_known_method()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                string key = store.Create("svc", SystemAll).Key;
                ApiKeyException incomplete = Assert.Throws<ApiKeyException>(() => store.Verify(key, "CALL", null));
                Assert.Equal("IncompleteRequest", incomplete.ErrorId);
                Assert.Contains("Give both the method and the resource", incomplete.Message);
                ApiKeyException unknown = Assert.Throws<ApiKeyException>(() => store.Verify(key, "FETCH", "x"));
                Assert.Equal("InvalidMethod", unknown.ErrorId);
                Assert.Contains("'FETCH' is not a request method. Use one of " + string.Join(", ", AllowlistEntry.RequestMethods) + ".", unknown.Message);
            }
        }

        [Fact]
        public void A_stored_hash_of_the_wrong_length_accepts_no_secret()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", SystemAll);
                temp.Sql("UPDATE api_keys SET key_hash = @hash WHERE id = @id", ("hash", new byte[] { 1, 2, 3 }), ("id", key.Id));
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Equal(VerificationCode.NotFound, store.Verify(key.Key).Code);
                }
            }
        }

        [Fact]
        public void The_verifier_works_without_powershell_and_across_threads()
        {
            using (var temp = new TempStore())
            {
                string key;
                using (ApiKeyStore store = temp.Open())
                {
                    key = store.Create("svc", SystemAll).Key;
                }
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    var results = Enumerable.Range(0, 200).AsParallel().Select(i => verifier.Verify(key, "CALL", "system.info").Code).ToList();
                    Assert.All(results, code => Assert.Equal(VerificationCode.Valid, code));
                    Assert.Equal(VerificationCode.Forbidden, verifier.Verify(key, "GET", "/pool").Code);
                }
            }
        }
    }
}
