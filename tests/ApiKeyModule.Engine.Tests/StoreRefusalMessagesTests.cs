using System;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// What each refusal of a change, an expiry, a grace period or an audit bound tells the user: the fault, and what to do
    /// (in <see cref="ApiKeyException.Remedy"/>, or in the fault itself when it depends on the values given).
    /// </summary>
    public class StoreRefusalMessagesTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };
        private const long Now = 1_800_000_000_000;

        [Theory]
        [InlineData("nothing to change", "NoChangeRequested", Remedies.GiveAChange)]
        [InlineData("no key with the id", "ApiKeyNotFound", Remedies.ListKeys)]
        [InlineData("no key with the name", "ApiKeyNotFound", Remedies.ListOrMatchKeys)]
        [InlineData("key object no longer held", "ApiKeyNotFound", Remedies.ReadKeysAgain)]
        [InlineData("key object from another store", "KeyFromOtherStore", Remedies.UseOwnStore)]
        [InlineData("key object from a store that is gone", "KeyFromOtherStore", Remedies.UseOwnStore)]
        [InlineData("name taken", "DuplicateName", null)]
        [InlineData("audit bound in the future", "AuditBoundInFuture", Remedies.GiveAPastBound)]
        [InlineData("expiry now", "ExpirationInPast", Remedies.GiveAFutureDate)]
        [InlineData("grace period without a reset", "GracePeriodWithoutReset", Remedies.GraceWithReset)]
        [InlineData("grace period of zero", "InvalidGracePeriod", null)]
        [InlineData("grace period under a second", "InvalidGracePeriod", Remedies.GraceOverASecond)]
        [InlineData("grace period over 30 days", "InvalidGracePeriod", null)]
        [InlineData("grace period that is not a duration", "InvalidGracePeriod", Remedies.GraceForms + " Write null for none.")]
        [InlineData("grace period for a revoked key", "GracePeriodForInactiveKey", null)]
        [InlineData("grace period for a key that expires now", "GracePeriodForInactiveKey", null)]
        [InlineData("grace period past the expiry", "GracePeriodBeyondExpiry", null)]
        public void Each_refusal_says_what_is_wrong_and_what_to_do(string refusal, string errorId, string remedy)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                (ApiKeyException e, string fault) = Refuse(refusal, temp, store);
                Assert.Equal(errorId, e.ErrorId);
                Assert.Equal(fault, e.Fault);
                Assert.Equal(remedy, e.Remedy);
            }
        }

        private static (ApiKeyException, string) Refuse(string refusal, TempStore temp, ApiKeyStore store)
        {
            DateTime now = UnixTime.FromMilliseconds(Now);
            switch (refusal)
            {
                case "nothing to change":
                    {
                        IssuedApiKey key = store.Create("svc", SystemAll);
                        return (Assert.Throws<ApiKeyException>(() => store.Update(key.Id, new ApiKeyChanges())), "Nothing to change.");
                    }
                case "no key with the id":
                    return (Assert.Throws<ApiKeyException>(() => store.Update(99, new ApiKeyChanges { Name = "other" })), "No API key has Id 99.");
                case "no key with the name":
                    return (ApiKeyStore.NotFound("ghost"), "No API key is named 'ghost'.");
                case "key object no longer held":
                    {
                        ApiKey key = store.Create("svc", SystemAll);
                        store.Delete(key.Id);
                        return (Assert.Throws<ApiKeyException>(() => store.Update(key, new ApiKeyChanges { Name = "other" })),
                            $"The store '{store.Path}' no longer holds the key with Id {key.Id} created {UnixTime.Show(key.CreatedAt)}: it was removed, " +
                            "or the store was restored from a backup, since the key was read.");
                    }
                case "key object from another store":
                    using (var otherTemp = new TempStore())
                    using (ApiKeyStore other = otherTemp.Open())
                    {
                        ApiKey key = other.Create("svc", SystemAll);
                        return (Assert.Throws<ApiKeyException>(() => store.Revoke(key, null)),
                            $"The key with Id {key.Id} ('svc') was read from the store '{other.Path}' (store id {other.Id}), " +
                            $"not from '{store.Path}' (store id {store.Id}). A key object is used only with its own store.");
                    }
                case "key object from a store that is gone":
                    {
                        ApiKey key = store.Create("svc", SystemAll);
                        return (ApiKeyStore.FromOtherStore(key, null),
                            $"The key with Id {key.Id} ('svc') was read from the store '{store.Path}' (store id {store.Id}), " +
                            "and there is no store at the path given. A key object is used only with its own store.");
                    }
                case "name taken":
                    {
                        IssuedApiKey key = store.Create("svc", SystemAll);
                        return (Assert.Throws<ApiKeyException>(() => store.Create("SVC", SystemAll)),
                            $"A key named 'svc' already exists (Id {key.Id}); names are unique ignoring case. Choose another name.");
                    }
                case "audit bound in the future":
                    return (Assert.Throws<ApiKeyException>(() => ApiKeyStore.ValidateAuditBound(now.AddMilliseconds(1), now)),
                        $"The bound {UnixTime.Show(now.AddMilliseconds(1))} is in the future: clearing up to it would remove entries not yet written.");
                case "expiry now":
                    return (Assert.Throws<ApiKeyException>(() => ExpiryRules.Validate(now, now)), $"Expiration date is in the past ({UnixTime.Show(now)}).");
                case "grace period without a reset":
                    return (Assert.Throws<ApiKeyException>(() => GraceRules.Validate(TimeSpan.FromHours(1), reset: false)),
                        "A grace period keeps the current key working after a reset, and no reset was asked for.");
                case "grace period of zero":
                    return (Assert.Throws<ApiKeyException>(() => GraceRules.Validate(TimeSpan.Zero, reset: true)),
                        "A grace period must be positive, but 00:00:00 was given. Give how long the current key keeps working beside the new one, " +
                        "or no grace period to end it at once.");
                case "grace period under a second":
                    return (Assert.Throws<ApiKeyException>(() => GraceRules.Validate(TimeSpan.FromMilliseconds(999), reset: true)),
                        "A grace period of 00:00:00.9990000 is less than a second, which is too short to move any client.");
                case "grace period over 30 days":
                    return (Assert.Throws<ApiKeyException>(() => GraceRules.Validate(TimeSpan.FromDays(30).Add(TimeSpan.FromMilliseconds(1)), reset: true)),
                        "A grace period of 30.00:00:00.0010000 is longer than the 30 days allowed: the replaced key may have leaked, and it would stay usable " +
                        "all that time. Give at most 30.00:00:00, or make a second key for the clients that need longer.");
                case "grace period that is not a duration":
                    return (Assert.Throws<ApiKeyException>(() => GraceRules.Parse("soon", "line 3")), "grace_period 'soon' (line 3) is not a duration.");
                case "grace period for a revoked key":
                    {
                        var key = new ApiKey { Id = 7, Name = "svc", Revoked = true };
                        return (Assert.Throws<ApiKeyException>(() => ApiKeyStore.CheckGrace(key, key, TimeSpan.FromHours(1), Now + 3_600_000, Now)),
                            "The key with Id 7 ('svc') is revoked: its current key does not work, and a grace period would make it work again. " +
                            "Reset it without a grace period.");
                    }
                case "grace period for a key that expires now":
                    {
                        var key = new ApiKey { Id = 7, Name = "svc", ExpiresAt = now };
                        var moved = new ApiKey(key) { ExpiresAt = now.AddDays(1) };
                        return (Assert.Throws<ApiKeyException>(() => ApiKeyStore.CheckGrace(key, moved, TimeSpan.FromHours(1), Now + 3_600_000, Now)),
                            "The key with Id 7 ('svc') is expired: its current key does not work, and a grace period would make it work again. " +
                            "Reset it without a grace period.");
                    }
                case "grace period past the expiry":
                    {
                        var key = new ApiKey { Id = 7, Name = "svc", ExpiresAt = now.AddHours(1) };
                        return (Assert.Throws<ApiKeyException>(() => ApiKeyStore.CheckGrace(key, key, TimeSpan.FromHours(2), Now + 7_200_000, Now)),
                            $"The key with Id 7 ('svc') expires at {UnixTime.Show(now.AddHours(1))}, before a grace period of 02:00:00 would end: the previous key " +
                            "cannot outlive the key. Give at most 01:00:00, or a later expiry with the reset.");
                    }
                default:
                    throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null);
            }
        }
    }
}
