using System;
using System.Collections.Generic;
using System.Text;

namespace ApiKeyModule
{
    /// <summary>
    /// The allowlist column: one "METHOD resource" per line. Methods hold no space and resources no control
    /// characters, so the text is unambiguous, cheap to read back, and readable in any SQLite tool.
    /// </summary>
    internal static class AllowlistColumn
    {
        public static string Write(IReadOnlyList<AllowlistEntry> allowlist)
        {
            var text = new StringBuilder();
            foreach (AllowlistEntry entry in allowlist)
            {
                if (text.Length > 0)
                {
                    text.Append('\n');
                }
                text.Append(entry.Method).Append(' ').Append(entry.Resource);
            }
            return text.ToString();
        }

        /// <summary>For people (audit log, messages): entries separated by ", ", or "(none)".</summary>
        public static string Show(IReadOnlyList<AllowlistEntry> allowlist) =>
            allowlist.Count == 0 ? "(none)" : string.Join(", ", allowlist);

        public static ApiKeyAllowlist Read(string text)
        {
            if (text.Length == 0)
            {
                return ApiKeyAllowlist.Empty;
            }
            string[] lines = text.Split('\n');
            var entries = new AllowlistEntry[lines.Length];
            for (int i = 0; i < lines.Length; i++)
            {
                int space = lines[i].IndexOf(' ');
                if (space <= 0)
                {
                    throw new ApiKeyException(ErrorIds.StoreCorrupt, ApiKeyErrorCategory.InvalidData,
                        "An allowlist in the store is damaged (line '" + lines[i] + "'). Restore the store from a backup.");
                }
                entries[i] = new AllowlistEntry(string.Intern(lines[i].Substring(0, space)), lines[i].Substring(space + 1));
            }
            return new ApiKeyAllowlist(entries);
        }
    }
}
