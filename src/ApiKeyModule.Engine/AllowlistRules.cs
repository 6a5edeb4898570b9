using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ApiKeyModule
{
    internal static class AllowlistRules
    {
        public const int MaxResourceLength = 1024;

        private const int MaxShownLength = 60;

        private static readonly string MethodChoices =
            string.Join(", ", AllowlistEntry.Methods.Take(AllowlistEntry.Methods.Count - 1)) + " or " + AllowlistEntry.Methods[AllowlistEntry.Methods.Count - 1];

        /// <summary>Validates one entry; <paramref name="entryDescription"/> names it in error messages.</summary>
        internal static AllowlistEntry CreateEntry(string? method, string? resource, string? entryDescription)
        {
            string entry = entryDescription ?? Describe(null, method, resource);
            if (method == null || method.Length == 0)
            {
                throw Invalid($"{entry}: method is missing. Use one of {MethodChoices}.");
            }
            string canonical = AllowlistEntry.Methods.FirstOrDefault(m => AsciiEqualsIgnoreCase(method, m))
                ?? throw Invalid($"{entry}: unknown method '{Show(method)}'. Use one of {MethodChoices}.");

            if (resource == null)
            {
                throw Invalid($"{entry}: resource is missing. Give a name such as system.info, or a pattern with '*'.");
            }
            if (resource.All(char.IsWhiteSpace))
            {
                throw Invalid($"{entry}: resource is empty. Give a name such as system.info, or a pattern with '*'.");
            }
            if (resource.Length > MaxResourceLength)
            {
                throw Invalid($"{entry}: resource has {resource.Length} characters; the limit is {MaxResourceLength}.");
            }
            foreach (char c in resource)
            {
                if (IsControl(c))
                {
                    throw Invalid($"{entry}: resource contains the control character U+{(int)c:X4}. Remove it.");
                }
            }
            if (char.IsWhiteSpace(resource[0]) || char.IsWhiteSpace(resource[resource.Length - 1]))
            {
                throw Invalid($"{entry}: resource starts or ends with white space. Remove it.");
            }
            return new AllowlistEntry(canonical, resource);
        }

        /// <summary>
        /// One entry given as field name/value pairs (hashtable, object properties, YAML mapping).
        /// <paramref name="index"/> is 1-based and only used in messages.
        /// </summary>
        internal static AllowlistEntry FromFields(IEnumerable<KeyValuePair<string, object?>>? fields, int index)
        {
            string entry = Describe(index, null, null);
            if (fields == null)
            {
                throw Invalid($"{entry} is empty. Give it a method and a resource.");
            }
            string? method = null, resource = null;
            bool hasMethod = false, hasResource = false;
            foreach (var field in fields)
            {
                string name = field.Key ?? "";
                bool isMethod = string.Equals(name, "method", StringComparison.OrdinalIgnoreCase);
                if (!isMethod && !string.Equals(name, "resource", StringComparison.OrdinalIgnoreCase))
                {
                    throw Invalid($"{entry}: unknown field '{Show(name)}'; an entry has only 'method' and 'resource'.");
                }
                string canonicalName = isMethod ? "method" : "resource";
                if (isMethod ? hasMethod : hasResource)
                {
                    throw Invalid($"{entry}: field '{canonicalName}' is given more than once. Give it once.");
                }
                string? value = AsText(field.Value, entry, canonicalName);
                if (isMethod)
                {
                    hasMethod = true;
                    method = value;
                }
                else
                {
                    hasResource = true;
                    resource = value;
                }
            }
            if (method == null)
            {
                throw Invalid($"{entry}: field 'method' is missing. Give one of {MethodChoices}.");
            }
            if (resource == null)
            {
                throw Invalid($"{entry}: field 'resource' is missing. Give a name such as system.info, or a pattern with '*'.");
            }
            return CreateEntry(method, resource, Describe(index, method, resource));
        }

        /// <summary>Drops repeated entries, keeping the first of each in order.</summary>
        internal static ApiKeyAllowlist Normalize(IEnumerable<AllowlistEntry?> entries)
        {
            if (entries == null)
            {
                throw new ArgumentNullException(nameof(entries));
            }
            var seen = new HashSet<AllowlistEntry>();
            var result = new List<AllowlistEntry>();
            foreach (AllowlistEntry? entry in entries)
            {
                if (entry == null)
                {
                    throw new ArgumentException("The list holds a null entry.", nameof(entries));
                }
                if (seen.Add(entry))
                {
                    result.Add(entry);
                }
            }
            return new ApiKeyAllowlist(result.ToArray());
        }

        internal static ApiKeyException Invalid(string message) =>
            new ApiKeyException(ErrorIds.InvalidAllowlistEntry, ApiKeyErrorCategory.InvalidArgument, message);

        internal static string Describe(int? index, string? method, string? resource)
        {
            var text = new StringBuilder("Allowlist entry");
            if (index.HasValue)
            {
                text.Append(' ').Append(index.Value.ToString(CultureInfo.InvariantCulture));
            }
            var parts = new List<string>();
            if (method != null)
            {
                parts.Add("method=" + Show(method));
            }
            if (resource != null)
            {
                parts.Add("resource=" + Show(resource));
            }
            if (parts.Count > 0)
            {
                text.Append(" (").Append(string.Join(", ", parts)).Append(')');
            }
            return text.ToString();
        }

        /// <summary>A value made safe to put in a message: long text cut, then escaped (<see cref="SafeText.Escape"/>).</summary>
        internal static string Show(string value)
        {
            int length = value.Length <= MaxShownLength ? value.Length
                : char.IsHighSurrogate(value[MaxShownLength - 1]) ? MaxShownLength - 1 : MaxShownLength;
            string shown = SafeText.Escape(value.Substring(0, length));
            return length < value.Length ? shown + "..." : shown;
        }

        private static bool IsControl(char c) => char.IsControl(c) || c == '\u2028' || c == '\u2029';

        // ASCII only: OrdinalIgnoreCase would also accept e.g. U+017F (long s) as 'S'. Every method is upper-case ASCII
        // letters or '*', so a character matches as it is or in its ASCII lower case.
        private static bool AsciiEqualsIgnoreCase(string value, string upper)
        {
            if (value.Length != upper.Length)
            {
                return false;
            }
            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] != upper[i] && value[i] != char.ToLowerInvariant(upper[i]))
                {
                    return false;
                }
            }
            return true;
        }

        private static string? AsText(object? value, string entry, string field)
        {
            switch (value)
            {
                case null:
                    return null;
                case string text:
                    return text;
                case IDictionary _:
                case IEnumerable _:
                    throw Invalid($"{entry}: field '{field}' must be text, not a list or a table.");
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }
    }
}
