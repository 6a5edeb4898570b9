using System.Globalization;

namespace ApiKeyModule
{
    /// <summary>A key as presented by a client, split as TrueNAS does: "&lt;id&gt;-&lt;secret&gt;".</summary>
    internal static class PresentedKey
    {
        /// <summary>False unless the text is an id &gt; 0, a dash, and exactly 64 characters of [A-Za-z0-9], white space around ignored.</summary>
        public static bool TryParse(string text, out int id, out string secret)
        {
            id = 0;
            secret = null;
            if (text == null)
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
