using System;
using System.Globalization;
using System.Management.Automation;
using System.Reflection;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// The dates of keys and audit entries as text are ISO 8601 in UTC, to the second (2026-12-02T10:30:00Z), whatever the
    /// culture: Export-Csv and the views call ToString(), which for a DateTime is local and unmarked. The types file puts
    /// these getters in front of the date properties; each returns the same DateTime (comparisons, Sort-Object,
    /// ConvertTo-Json, .AddDays() and "$date" work as before) whose ToString() writes the ISO form.
    /// </summary>
    public static class IsoDates
    {
        public const string Format = "yyyy-MM-dd'T'HH:mm:ss'Z'";

        private static readonly MethodInfo ToIsoMethod = typeof(IsoDates).GetMethod(nameof(ToIso));

        public static object? CreatedAt(PSObject instance) => Wrap(((ApiKey)instance.BaseObject).CreatedAt);

        public static object? ExpiresAt(PSObject instance) => Wrap(((ApiKey)instance.BaseObject).ExpiresAt);

        public static object? LastUsedAt(PSObject instance) => Wrap(((ApiKey)instance.BaseObject).LastUsedAt);

        public static object? PreviousKeyExpiresAt(PSObject instance) => Wrap(((ApiKey)instance.BaseObject).PreviousKeyExpiresAt);

        public static object? PreviousKeyLastUsedAt(PSObject instance) => Wrap(((ApiKey)instance.BaseObject).PreviousKeyLastUsedAt);

        public static object? VerificationPreviousKeyExpiresAt(PSObject instance) => Wrap(((ApiKeyVerification)instance.BaseObject).PreviousKeyExpiresAt);

        public static object? Time(PSObject instance) => Wrap(((ApiKeyAuditEntry)instance.BaseObject).Time);

        public static object? LastTime(PSObject instance) => Wrap(((ApiKeyAuditEntry)instance.BaseObject).LastTime);

        /// <summary>The ToString() of a wrapped date: ISO without arguments; with a format or provider, as DateTime does.</summary>
        public static string ToIso(PSObject instance, params object?[]? arguments)
        {
            var time = (DateTime)instance.BaseObject;
            if (arguments == null || arguments.Length == 0)
            {
                return time.ToUniversalTime().ToString(Format, CultureInfo.InvariantCulture);
            }
            string? format = arguments[0] as string;
            var provider = (arguments[arguments.Length - 1] as IFormatProvider) ?? CultureInfo.CurrentCulture;
            return time.ToString(format ?? arguments[0]?.ToString(), provider);
        }

        private static PSObject? Wrap(DateTime? time)
        {
            if (time == null)
            {
                return null;
            }
            var wrapped = new PSObject(time.Value);
            wrapped.Members.Add(new PSCodeMethod("ToString", ToIsoMethod));
            return wrapped;
        }
    }
}
