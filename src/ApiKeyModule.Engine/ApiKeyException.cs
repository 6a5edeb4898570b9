using System;

namespace ApiKeyModule
{
    /// <summary>
    /// A failure with a stable <see cref="ErrorId"/> (one of <see cref="ErrorIds"/>) that callers and scripts can rely on.
    /// Its message states the fault, then what to do (<see cref="Remedy"/>) in words that fit any caller; the cmdlets
    /// give PowerShell's own advice instead where they have it. Messages never contain key material.
    /// </summary>
    public sealed class ApiKeyException : Exception
    {
        public ApiKeyException(string errorId, ApiKeyErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        public string ErrorId { get; }
        public ApiKeyErrorCategory Category { get; }
        public object? Target { get; }

        /// <summary>What went wrong, without what to do about it.</summary>
        public string Fault => base.Message;

        /// <summary>What to do about it, for any caller; null when the fault says all.</summary>
        public string? Remedy { get; internal set; }

        public override string Message => Remedy == null ? Fault : Fault + " " + Remedy;

        /// <summary>The store itself failed (locked, read-only, unusable): no later item can succeed either.</summary>
        public bool IsStoreFailure => ErrorIds.IsStoreFailure(ErrorId);
    }
}
