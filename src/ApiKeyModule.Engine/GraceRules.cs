using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ApiKeyModule
{
    /// <summary>
    /// The grace period of a reset: how long the replaced secret keeps working beside the new one, so that clients can
    /// be moved without an outage. At least a second: PowerShell takes a bare number given to a TimeSpan as ticks
    /// (-GracePeriod 30 is 3 µs), a slip to refuse rather than honour. At most 30 days: the secret being replaced may be
    /// one that leaked, and a month is time enough to move clients that deploy monthly; a longer overlap is two keys,
    /// each revoked on its own.
    /// </summary>
    internal static class GraceRules
    {
        public static readonly TimeSpan Minimum = TimeSpan.FromSeconds(1);
        public static readonly TimeSpan Maximum = TimeSpan.FromDays(30);

        // ISO 8601 durations without years and months (their length varies): weeks, days, hours, minutes, seconds.
        private static readonly Regex IsoDuration = new Regex(
            @"^P(?:(?<w>\d{1,9})W)?(?:(?<d>\d{1,9})D)?(?:T(?:(?<h>\d{1,9})H)?(?:(?<m>\d{1,9})M)?(?:(?<s>\d{1,9}(?:[.,]\d{1,7})?)S)?)?$",
            RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

        /// <summary>The grace period as used (to the millisecond), or null when none was asked for; refused when it is not one to honour.</summary>
        public static TimeSpan? Validate(TimeSpan? grace, bool reset)
        {
            if (grace == null)
            {
                return null;
            }
            if (!reset)
            {
                throw new ApiKeyException(ErrorIds.GracePeriodWithoutReset, ApiKeyErrorCategory.InvalidArgument,
                    "A grace period keeps the current key working after a reset, and no reset was asked for.", Show(grace.Value))
                {
                    Remedy = Remedies.GraceWithReset,
                };
            }
            TimeSpan value = grace.Value;
            if (value <= TimeSpan.Zero)
            {
                throw Invalid(value, $"A grace period must be positive, but {Show(value)} was given. Give how long the current key keeps working beside the new one, " +
                                     "or no grace period to end it at once.");
            }
            if (value < Minimum)
            {
                throw Invalid(value, $"A grace period of {Show(value)} is less than a second, which is too short to move any client.", Remedies.GraceOverASecond);
            }
            if (value > Maximum)
            {
                throw Invalid(value, $"A grace period of {Show(value)} is longer than the 30 days allowed: the replaced key may have leaked, and it would stay usable " +
                                     "all that time. Give at most 30.00:00:00, or make a second key for the clients that need longer.");
            }
            return TimeSpan.FromMilliseconds(Math.Floor(value.TotalMilliseconds));
        }

        /// <summary>A duration as d.hh:mm:ss (what PowerShell's [TimeSpan] casts read, with the invariant culture) or as ISO 8601 (P1D, PT12H).</summary>
        public static bool TryParse(string? text, out TimeSpan grace)
        {
            grace = TimeSpan.Zero;
            if (text == null)
            {
                return false;
            }
            text = text.Trim();
            if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out grace))
            {
                return true;
            }
            Match match = IsoDuration.Match(text);
            if (!match.Success || text.Length < 3 || text.EndsWith("T", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            double Part(string name) => match.Groups[name].Success
                ? double.Parse(match.Groups[name].Value.Replace(',', '.'), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture)
                : 0;
            double seconds = Part("w") * 7 * 86400 + Part("d") * 86400 + Part("h") * 3600 + Part("m") * 60 + Part("s");
            // Beyond TimeSpan's range: its largest value, which Validate refuses as too long.
            double ticks = seconds * TimeSpan.TicksPerSecond;
            // Stryker disable once Conditional,Equality : on .NET 9 and later (the tests' runtime) a double past long's range converts to long.MaxValue anyway; the check is for .NET Framework, where it wraps
            grace = ticks >= long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)ticks);
            return true;
        }

        /// <summary>A duration written in a key document: null (none), or <see cref="TryParse"/>'s forms.</summary>
        public static TimeSpan Parse(string text, string where)
        {
            if (TryParse(text, out TimeSpan grace))
            {
                return grace;
            }
            string shown = AllowlistRules.Show(text);
            throw new ApiKeyException(ErrorIds.InvalidGracePeriod, ApiKeyErrorCategory.InvalidArgument,
                $"grace_period '{shown}' ({where}) is not a duration.", shown)
            {
                Remedy = Remedies.GraceForms + " Write null for none.",
            };
        }

        /// <summary>As TimeSpan's constant form, the same in every culture: 1.00:00:00, 00:00:30, 00:00:00.5000000.</summary>
        public static string Show(TimeSpan grace) => grace.ToString();

        private static ApiKeyException Invalid(TimeSpan value, string message, string? remedy = null) =>
            new ApiKeyException(ErrorIds.InvalidGracePeriod, ApiKeyErrorCategory.InvalidArgument, message, Show(value)) { Remedy = remedy };
    }
}
