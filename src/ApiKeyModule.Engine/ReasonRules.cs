using System.Diagnostics.CodeAnalysis;

namespace ApiKeyModule
{
    /// <summary>What a revocation reason may hold: it is kept on the key and in the audit log, and shown to whoever reads them.</summary>
    internal static class ReasonRules
    {
        public const int MaxLength = 500;

        /// <summary>
        /// The reason as stored, control characters escaped (<see cref="SafeText.Escape"/>). Throws
        /// <see cref="ApiKeyException"/> (InvalidReason) for more than 500 characters or a format character. Null stays null.
        /// </summary>
        [return: NotNullIfNotNull(nameof(reason))]
        public static string? Validate(string? reason)
        {
            if (reason == null)
            {
                return null;
            }
            int codePoints = 0;
            foreach (char c in reason)
            {
                if (!char.IsLowSurrogate(c))
                {
                    codePoints++;
                }
            }
            if (codePoints > MaxLength)
            {
                throw Invalid($"The reason has {codePoints} characters; the limit is {MaxLength}. Give a shorter reason, " +
                              "for example a ticket number, and keep the details there.");
            }
            if (SafeText.TryFindFormatCharacter(reason, out int format))
            {
                throw Invalid($"The reason contains the Unicode format character {SafeText.Name(format)}; format characters (bidirectional " +
                              "controls, zero-width characters) can hide or reorder text. Remove it.");
            }
            return SafeText.Escape(reason);
        }

        private static ApiKeyException Invalid(string message) =>
            new ApiKeyException(ErrorIds.InvalidReason, ApiKeyErrorCategory.InvalidArgument, message);
    }
}
