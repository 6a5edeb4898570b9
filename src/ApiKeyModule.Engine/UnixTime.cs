using System;

namespace ApiKeyModule
{
    /// <summary>Times are stored as UTC milliseconds since 1970; what is handed out is what reads back.</summary>
    internal static class UnixTime
    {
        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        public static DateTime Now() => FromMilliseconds(ToMilliseconds(DateTime.UtcNow));

        /// <summary>A local or unspecified time is taken as local, as PowerShell's [datetime] casts give it.</summary>
        public static long ToMilliseconds(DateTime time)
        {
            DateTime utc = time.Kind == DateTimeKind.Utc ? time : time.ToUniversalTime();
            return (utc.Ticks - Epoch.Ticks) / TimeSpan.TicksPerMillisecond;
        }

        public static DateTime FromMilliseconds(long milliseconds) =>
            new DateTime(Epoch.Ticks + milliseconds * TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);

        public static DateTime Normalize(DateTime time) => FromMilliseconds(ToMilliseconds(time));

        /// <summary>ISO 8601 in UTC, with milliseconds when there are any (so that it reads back as the same time).</summary>
        public static string Show(DateTime? time)
        {
            if (time == null)
            {
                return "never";
            }
            DateTime utc = time.Value.Kind == DateTimeKind.Utc ? time.Value : time.Value.ToUniversalTime();
            return utc.ToString(utc.Millisecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
