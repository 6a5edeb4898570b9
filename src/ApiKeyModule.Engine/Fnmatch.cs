namespace ApiKeyModule
{
    /// <summary>
    /// Python's fnmatch.fnmatchcase, which TrueNAS uses for allowlist resources: '*' spans any characters (dots and
    /// slashes too), '?' is one character, '[seq]' and '[!seq]' are character classes; a '[' without its ']' is literal.
    /// </summary>
    internal static class Fnmatch
    {
        public static bool IsMatch(string text, string pattern)
        {
            int t = 0, p = 0, starP = -1, starT = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && pattern[p] == '*')
                {
                    starP = p++;
                    starT = t;
                }
                else if (p < pattern.Length && MatchOne(pattern, p, text[t], out int next))
                {
                    p = next;
                    t++;
                }
                else if (starP >= 0)
                {
                    p = starP + 1;
                    t = ++starT;
                }
                else
                {
                    return false;
                }
            }
            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }
            return p == pattern.Length;
        }

        private static bool MatchOne(string pattern, int p, char c, out int next)
        {
            char first = pattern[p];
            if (first == '?')
            {
                next = p + 1;
                return true;
            }
            if (first == '[' && MatchClass(pattern, p, c, out next) is bool matched)
            {
                return matched;
            }
            next = p + 1;
            return first == c;
        }

        // Null when the '[' has no ']' and so is a literal.
        private static bool? MatchClass(string pattern, int p, char c, out int next)
        {
            int i = p + 1;
            bool negate = i < pattern.Length && pattern[i] == '!';
            if (negate)
            {
                i++;
            }
            int start = i;
            // A ']' right after '[' or '[!' is a member, not the end.
            if (i < pattern.Length && pattern[i] == ']')
            {
                i++;
            }
            while (i < pattern.Length && pattern[i] != ']')
            {
                i++;
            }
            if (i >= pattern.Length)
            {
                next = p;
                return null;
            }
            bool member = false;
            for (int j = start; j < i; j++)
            {
                if (j + 2 < i && pattern[j + 1] == '-')
                {
                    member |= pattern[j] <= c && c <= pattern[j + 2];
                    j += 2;
                }
                else
                {
                    member |= pattern[j] == c;
                }
            }
            next = i + 1;
            return member != negate;
        }
    }
}
