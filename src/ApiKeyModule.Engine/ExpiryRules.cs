using System;

namespace ApiKeyModule
{
    internal static class ExpiryRules
    {
        /// <summary>The expiry as stored (UTC, to the millisecond); it must lie in the future.</summary>
        public static DateTime? Validate(DateTime? expiresAt) => Validate(expiresAt, DateTime.UtcNow);

        /// <summary>A key has expired from the millisecond of its expiry on; one without an expiry never does.</summary>
        internal static bool HasExpired(long? expiresAt, long now) => expiresAt <= now;

        /// <summary>The expiry as stored; it must lie after <paramref name="now"/> (UTC).</summary>
        internal static DateTime? Validate(DateTime? expiresAt, DateTime now)
        {
            if (expiresAt == null)
            {
                return null;
            }
            DateTime utc = UnixTime.Normalize(expiresAt.Value);
            if (utc <= now)
            {
                throw new ApiKeyException(ErrorIds.ExpirationInPast, ApiKeyErrorCategory.InvalidArgument,
                    $"Expiration date is in the past ({UnixTime.Show(utc)}).", expiresAt)
                {
                    Remedy = Remedies.GiveAFutureDate,
                };
            }
            return utc;
        }
    }
}
