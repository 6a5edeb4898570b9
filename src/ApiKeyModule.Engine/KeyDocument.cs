using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ApiKeyModule
{
    /// <summary>
    /// A key as a YAML document for a person to edit (what Edit-ApiKey opens), as TrueNAS's CLI renders its argument
    /// editor: each field under a comment "# &lt;Type&gt;: &lt;description&gt;"; required fields as they are, optional
    /// ones commented out with their default; for an existing key every field filled in from the store.
    /// </summary>
    public static class KeyDocument
    {
        private const string ErrorPrefix = "# ERROR: ";
        private static readonly YamlDocumentKind Kind = YamlDocumentKind.Key;

        private const string NameHelp = "# String: the key's name, 1 to 200 characters, unique ignoring case. Required.";
        private const string AllowlistHelp =
            "# List: what the key may call. Each entry has a method (GET, POST, PUT, DELETE, CALL, SUBSCRIBE or *)\n" +
            "# and a resource (a name such as system.info, or a pattern with *). An empty list grants nothing.";
        private const string ExpiresHelp = "# DateTime: when the key stops working, in UTC, e.g. 2027-01-31T00:00:00Z; null: never.";
        private const string ResetHelp = "# Boolean: true replaces the key's secret; the current key stops working at once, or after grace_period (a revoked key is un-revoked).";
        private const string GraceHelp =
            "# Duration: with reset: true, how long the current key keeps working beside the new one, as d.hh:mm:ss\n" +
            "# (1.00:00:00 is a day) or ISO 8601 (P1D, PT12H); 1 second to 30 days, and not past expires_at. null: it stops at once.";

        /// <summary>The document for a new key (<paramref name="existing"/> null), or filled in from an existing one.</summary>
        public static string Template(ApiKey? existing = null)
        {
            var text = new StringBuilder();
            if (existing == null)
            {
                text.Append("# New API key. Fill in, save and close the editor to create it. Empty the file to cancel.\n");
                text.Append(NameHelp).Append('\n').Append("name: \n");
                text.Append(AllowlistHelp).Append('\n').Append("# allowlist: []\n");
                text.Append(ExpiresHelp).Append('\n').Append("# expires_at: null\n");
                return text.ToString();
            }
            text.Append($"# API key {existing.Id}. Change what you need, save and close the editor to apply. Empty the file to cancel.\n");
            if (existing.PreviousKeyExpiresAt != null)
            {
                text.Append($"# Its previous key works until {UnixTime.Show(existing.PreviousKeyExpiresAt)}; a reset ends it at once, or replaces it with the current key given a grace_period.\n");
            }
            text.Append(NameHelp).Append('\n').Append("name: ").Append(Quote(existing.Name)).Append('\n');
            text.Append(AllowlistHelp).Append('\n').Append("allowlist:");
            if (existing.Allowlist.Count == 0)
            {
                text.Append(" []\n");
            }
            else
            {
                text.Append('\n');
                foreach (AllowlistEntry entry in existing.Allowlist)
                {
                    text.Append("- method: ").Append(Quote(entry.Method)).Append('\n');
                    text.Append("  resource: ").Append(Quote(entry.Resource)).Append('\n');
                }
            }
            text.Append(ExpiresHelp).Append('\n').Append("expires_at: ")
                .Append(existing.ExpiresAt == null ? "null" : UnixTime.Show(existing.ExpiresAt)).Append('\n');
            text.Append(ResetHelp).Append('\n').Append("reset: false\n");
            text.Append(GraceHelp).Append('\n').Append("grace_period: null\n");
            return text.ToString();
        }

        /// <summary>
        /// Reads a saved document; null when it holds nothing but comments and white space (the user emptied it).
        /// Throws <see cref="ApiKeyException"/> when it is not valid.
        /// </summary>
        public static KeySpec? Parse(string text, bool forExistingKey)
        {
            YamlNode? root = SafeYaml.Load(text, Kind);
            if (root == null || root.IsNull)
            {
                return null;
            }
            if (root.Kind != NodeKind.Mapping)
            {
                throw SafeYaml.Invalid(Kind, $"The key document is {SafeYaml.Describe(root)}, but it must be fields such as 'name: backup'.");
            }
            var spec = new KeySpec();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < root.Children.Count; i += 2)
            {
                YamlNode key = root.Children[i], value = root.Children[i + 1];
                string? field = key.Kind == NodeKind.Scalar ? key.Text : null;
                if (field == null || !seen.Add(field))
                {
                    throw SafeYaml.Invalid(Kind, field == null
                        ? $"The key document has {SafeYaml.Describe(key)} as a field name ({SafeYaml.At(key.Start)})."
                        : $"The field '{AllowlistRules.Show(field)}' is given twice ({SafeYaml.At(key.Start)}).");
                }
                switch (field)
                {
                    case "name":
                        spec.Name = value.IsNull ? null : NameRules.Validate(Scalar(value, field));
                        break;
                    case "allowlist":
                        spec.Allowlist = value.IsNull ? Array.Empty<AllowlistEntry>() : AllowlistDocument.FromNode(value);
                        break;
                    case "expires_at":
                        spec.HasExpiresAt = true;
                        spec.ExpiresAt = value.IsNull ? (DateTime?)null : Time(Scalar(value, field), value);
                        break;
                    case "reset" when forExistingKey:
                        spec.Reset = Boolean(Scalar(value, field), value);
                        break;
                    case "grace_period" when forExistingKey:
                        spec.GracePeriod = value.IsNull ? (TimeSpan?)null : GraceRules.Parse(Scalar(value, field), SafeYaml.At(value.Start));
                        break;
                    default:
                        throw SafeYaml.Invalid(Kind, $"Unknown field '{AllowlistRules.Show(field)}' ({SafeYaml.At(key.Start)}). The fields are name, allowlist, expires_at" +
                                                     (forExistingKey ? ", reset and grace_period." : "."));
                }
            }
            if (forExistingKey)
            {
                spec.GracePeriod = GraceRules.Validate(spec.GracePeriod, spec.Reset);
            }
            if (!forExistingKey && spec.Name == null)
            {
                throw new ApiKeyException(ErrorIds.InvalidName, ApiKeyErrorCategory.InvalidArgument, "The name is missing. Give one, for example 'name: backup-server'.");
            }
            return spec;
        }

        /// <summary>The document with the error's message as "# ERROR:" lines on top, in place of earlier ones.</summary>
        public static string WithError(string text, string message)
        {
            var lines = new List<string>(text.Replace("\r\n", "\n").Split('\n'));
            while (lines.Count > 0 && lines[0].StartsWith(ErrorPrefix, StringComparison.Ordinal))
            {
                lines.RemoveAt(0);
            }
            var result = new StringBuilder();
            foreach (string line in message.Replace("\r\n", "\n").Split('\n'))
            {
                result.Append(ErrorPrefix).Append(line).Append('\n');
            }
            return result.Append(string.Join("\n", lines)).ToString();
        }

        private static string Scalar(YamlNode value, string field)
        {
            if (value.Kind != NodeKind.Scalar)
            {
                throw SafeYaml.Invalid(Kind, $"The field '{field}' is {SafeYaml.Describe(value)} ({SafeYaml.At(value.Start)}), but it must be a single value.");
            }
            return value.Text;
        }

        private static DateTime Time(string text, YamlNode value)
        {
            if (DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTime time))
            {
                return time;
            }
            throw new ApiKeyException(ErrorIds.InvalidExpiry, ApiKeyErrorCategory.InvalidArgument,
                $"expires_at '{AllowlistRules.Show(text)}' ({SafeYaml.At(value.Start)}) is not a date. Write it as 2027-01-31T00:00:00Z, or null for never.");
        }

        private static bool Boolean(string text, YamlNode value)
        {
            if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            throw SafeYaml.Invalid(Kind, $"reset '{AllowlistRules.Show(text)}' ({SafeYaml.At(value.Start)}) must be true or false.");
        }

        // Double-quoted YAML, which takes JSON's escapes: safe for any name or resource.
        private static string Quote(string value)
        {
            var text = new StringBuilder("\"");
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    default:
                        if (c < ' ' || c == '\u007f' || c == '\u2028' || c == '\u2029')
                        {
                            text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            text.Append(c);
                        }
                        break;
                }
            }
            return text.Append('"').ToString();
        }
    }
}
