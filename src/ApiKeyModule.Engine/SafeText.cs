using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ApiKeyModule
{
    /// <summary>
    /// Text from outside (a client's request, a revocation reason) made safe to store and show: characters a terminal
    /// would act on or a viewer would hide become visible, and a logged request is cut.
    /// </summary>
    internal static class SafeText
    {
        /// <summary>How many characters of a failed verification's request (method and resource) the audit log keeps.</summary>
        public const int MaxRequestLength = 256;

        /// <summary>
        /// C0 controls become their control pictures (ESC ␛, line feed ␊), DEL ␡; C1 controls, U+2028, U+2029, format
        /// characters (bidirectional controls, zero-width characters, the BOM) and lone surrogates become \uXXXX
        /// (\UXXXXXXXX beyond the BMP). Idempotent: nothing it writes is escaped again. Null stays null.
        /// </summary>
        [return: NotNullIfNotNull(nameof(text))]
        public static string? Escape(string? text)
        {
            if (text == null)
            {
                return null;
            }
            int i = 0;
            while (i < text.Length && !IsUnsafe(text, i, out _))
            {
                i += char.IsSurrogatePair(text, i) ? 2 : 1;
            }
            if (i == text.Length)
            {
                return text;
            }
            var result = new StringBuilder(text.Length + 16).Append(text, 0, i);
            while (i < text.Length)
            {
                char c = text[i];
                bool unsafeChar = IsUnsafe(text, i, out int codePoint);
                int width = char.IsSurrogatePair(text, i) ? 2 : 1;
                if (!unsafeChar)
                {
                    result.Append(text, i, width);
                }
                else if (c <= '\u001F')
                {
                    result.Append((char)(0x2400 + c));
                }
                else if (c == '\u007F')
                {
                    result.Append('\u2421');
                }
                else if (width == 2)
                {
                    result.Append("\\U").Append(codePoint.ToString("X8", CultureInfo.InvariantCulture));
                }
                else
                {
                    result.Append("\\u").Append(codePoint.ToString("X4", CultureInfo.InvariantCulture));
                }
                i += width;
            }
            return result.ToString();
        }

        /// <summary>The request of a failed verification as logged: cut to <see cref="MaxRequestLength"/> characters, then escaped.</summary>
        public static string Request(string method, string? resource)
        {
            string request = method + " " + Cut(resource ?? "", MaxRequestLength - method.Length - 1);
            return Escape(request);
        }

        /// <summary>
        /// The text's first <paramref name="max"/> characters (one less rather than half a surrogate pair), and a marker
        /// saying how many were left out.
        /// </summary>
        public static string Cut(string text, int max)
        {
            if (text.Length <= max)
            {
                return text;
            }
            int kept = max > 0 && char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
            return text.Substring(0, kept) + "...[" + (text.Length - kept).ToString(CultureInfo.InvariantCulture) + " more characters not logged]";
        }

        /// <summary>Finds the first format character (category Cf) in the text, as its code point.</summary>
        public static bool TryFindFormatCharacter(string text, out int codePoint)
        {
            // The category of a pair is read at its high surrogate; its low one alone is a surrogate, never a format character.
            for (int i = 0; i < text.Length; i++)
            {
                if (CharUnicodeInfo.GetUnicodeCategory(text, i) == UnicodeCategory.Format)
                {
                    codePoint = char.ConvertToUtf32(text, i);
                    return true;
                }
            }
            codePoint = 0;
            return false;
        }

        /// <summary>U+XXXX, the usual way to name a character in a message.</summary>
        public static string Name(int codePoint) => "U+" + codePoint.ToString("X4", CultureInfo.InvariantCulture);

        private static bool IsUnsafe(string text, int i, out int codePoint)
        {
            char c = text[i];
            if (char.IsSurrogatePair(text, i))
            {
                codePoint = char.ConvertToUtf32(text, i);
                return CharUnicodeInfo.GetUnicodeCategory(text, i) == UnicodeCategory.Format;
            }
            codePoint = c;
            return char.IsControl(c) || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c) ||
                   CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format;
        }
    }
}
