using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System;

namespace ApiKeyModule
{
    /// <summary>
    /// A key's allowlist (<see cref="ApiKey.Allowlist"/>): its entries in order, without repeats. As text it is the JSON
    /// the TrueNAS CLI takes, which <see cref="AllowlistDocument.Parse"/> reads back (so a CSV column of it round-trips).
    /// </summary>
    public sealed class ApiKeyAllowlist : IReadOnlyList<AllowlistEntry>
    {
        internal static readonly ApiKeyAllowlist Empty = new ApiKeyAllowlist(Array.Empty<AllowlistEntry>());

        private readonly AllowlistEntry[] entries;

        internal ApiKeyAllowlist(AllowlistEntry[] entries)
        {
            this.entries = entries;
        }

        /// <summary>The entry at <paramref name="index"/>, from 0.</summary>
        public AllowlistEntry this[int index] => entries[index];

        /// <summary>How many entries there are; 0 grants nothing.</summary>
        public int Count => entries.Length;

        /// <summary>The entries in order.</summary>
        public IEnumerator<AllowlistEntry> GetEnumerator() => ((IEnumerable<AllowlistEntry>)entries).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => entries.GetEnumerator();

        /// <summary>For example <c>[{"method":"CALL","resource":"system.info"}]</c>; <c>[]</c> when empty.</summary>
        public string ToJson()
        {
            var json = new StringBuilder("[");
            foreach (AllowlistEntry entry in entries)
            {
                if (json.Length > 1)
                {
                    json.Append(',');
                }
                json.Append("{\"method\":");
                AppendString(json, entry.Method);
                json.Append(",\"resource\":");
                AppendString(json, entry.Resource);
                json.Append('}');
            }
            return json.Append(']').ToString();
        }

        /// <summary>The allowlist as JSON (<see cref="ToJson"/>).</summary>
        public override string ToString() => ToJson();

        private static void AppendString(StringBuilder json, string text)
        {
            json.Append('"');
            foreach (char c in text)
            {
                if (c == '"' || c == '\\')
                {
                    json.Append('\\').Append(c);
                }
                else if (c < ' ' || c == '\u007f')
                {
                    json.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                }
                else
                {
                    json.Append(c);
                }
            }
            json.Append('"');
        }
    }
}
