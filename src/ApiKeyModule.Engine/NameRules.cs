namespace ApiKeyModule
{
    internal static class NameRules
    {
        public const int MaxLength = 200;

        /// <summary>Throws <see cref="ApiKeyException"/> (InvalidName) unless the name is usable as a key name.</summary>
        public static string Validate(string? name)
        {
            if (name == null || name.Length == 0)
            {
                throw Invalid(name, "The name is empty. Give a name of 1 to 200 characters, for example 'backup-server'.");
            }
            int codePoints = 0;
            foreach (char c in name)
            {
                if (char.IsControl(c) || c == '\u2028' || c == '\u2029')
                {
                    throw Invalid(name, "The name contains a control character (such as a tab or a line break). Use printable characters only.");
                }
                if (!char.IsLowSurrogate(c))
                {
                    codePoints++;
                }
            }
            if (codePoints > MaxLength)
            {
                throw Invalid(name, $"The name has {codePoints} characters; the limit is {MaxLength}. Use a shorter name.");
            }
            if (SafeText.TryFindFormatCharacter(name, out int format))
            {
                throw Invalid(name, $"The name contains the Unicode format character {SafeText.Name(format)}; format characters (bidirectional " +
                                    "controls, zero-width characters) can disguise a name. Remove it.");
            }
            if (char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[name.Length - 1]))
            {
                throw Invalid(name, "The name starts or ends with white space. Remove the leading and trailing spaces (spaces inside the name are fine).");
            }
            return name;
        }

        /// <summary>The form used for uniqueness: names are unique ignoring case.</summary>
        public static string Fold(string name) => name.ToUpperInvariant();

        // The target is shown with the error (its CategoryInfo): escaped, like any text that may come from elsewhere.
        private static ApiKeyException Invalid(string? name, string message) =>
            new ApiKeyException(ErrorIds.InvalidName, ApiKeyErrorCategory.InvalidArgument, message, SafeText.Escape(name));
    }
}
