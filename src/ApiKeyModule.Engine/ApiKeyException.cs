using System;

namespace ApiKeyModule
{
    /// <summary>
    /// A failure with a stable <see cref="ErrorId"/> that callers (and scripts) can rely on.
    /// Messages never contain key material.
    /// </summary>
    public sealed class ApiKeyException : Exception
    {
        public ApiKeyException(string errorId, ApiKeyErrorCategory category, string message, object target = null, Exception inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        public string ErrorId { get; }
        public ApiKeyErrorCategory Category { get; }
        public object Target { get; }

        /// <summary>The store itself failed (locked, read-only, unusable): no later item can succeed either.</summary>
        public bool IsStoreFailure => ErrorId.StartsWith("Store", StringComparison.Ordinal);
    }
}
