using System.Globalization;

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
        public static bool TryParse(string text, out int id, out string secret)
        {
            id = 0;
            secret = null;
            if (text == null || text.Length > MaxLength)
            {
                return false;
            }
            text = text.Trim();
            int dash = text.IndexOf('-');
            if (dash <= 0 || text.Length - dash - 1 != KeySecret.Length)
            {
                return false;
            }
            for (int i = 0; i < dash; i++)
            {
                if (text[i] < '0' || text[i] > '9')
                {
                    return false;
                }
            }
            if (!int.TryParse(text.Substring(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out id) || id <= 0)
            {
                return false;
            }
            for (int i = dash + 1; i < text.Length; i++)
            {
                char c = text[i];
                if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
                {
                    return false;
                }
            }
            secret = text.Substring(dash + 1);
            return true;
        }
    }
}
