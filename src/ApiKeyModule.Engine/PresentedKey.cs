using System.Diagnostics.CodeAnalysis;

namespace ApiKeyModule
{
    /// <summary>A key as presented by a client, split as TrueNAS does: "&lt;id&gt;-&lt;secret&gt;".</summary>
    internal static class PresentedKey
    {
        /// <summary>
        /// The longest text that can be a key, white space included: a valid key has at most 75 characters (10 digits, a
        /// dash, 64). Longer text is refused before it is read, so a client cannot make verification scan megabytes.
        /// </summary>
        public const int MaxLength = 256;

        /// <summary>
        /// False unless the text is an id &gt; 0, a dash, and exactly 64 characters of [A-Za-z0-9], white space around
        /// ignored, and <see cref="MaxLength"/> characters at most.
        /// </summary>
        public static bool TryParse([NotNullWhen(true)] string? text, out int id, [NotNullWhen(true)] out string? secret)
        {
            if (TryLocate(text, out id, out int secretStart))
            {
                secret = text.Substring(secretStart, KeySecret.Length);
                return true;
            }
            secret = null;
            return false;
        }

        /// <summary>The same, giving where the secret starts in the text instead of a copy of it: a verification copies nothing.</summary>
        public static bool TryLocate([NotNullWhen(true)] string? text, out int id, out int secretStart)
        {
            id = 0;
            secretStart = 0;
            if (text == null || text.Length > MaxLength)
            {
                return false;
            }
            // As string.Trim() would, without the copy.
            int first = 0, end = text.Length;
            while (first < end && char.IsWhiteSpace(text[first]))
            {
                first++;
            }
            while (end > first && char.IsWhiteSpace(text[end - 1]))
            {
                end--;
            }
            int dash = text.IndexOf('-', first, end - first);
            // An empty id is refused below, as the id 0.
            if (dash == -1 || end - dash - 1 != KeySecret.Length)
            {
                return false;
            }
            long value = 0;
            for (int i = first; i < dash; i++)
            {
                if (text[i] < '0' || text[i] > '9')
                {
                    return false;
                }
                value = value * 10 + (text[i] - '0');
                if (value > int.MaxValue)
                {
                    return false;
                }
            }
            if (value == 0)
            {
                return false;
            }
            for (int i = dash + 1; i < end; i++)
            {
                char c = text[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                {
                    return false;
                }
            }
            id = (int)value;
            secretStart = dash + 1;
            return true;
        }
    }
}
