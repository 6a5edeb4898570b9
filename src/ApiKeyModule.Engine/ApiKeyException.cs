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
        /// <summary>A failure with the id and category a caller tests, and the fault as <paramref name="message"/>.</summary>
        /// <param name="errorId">One of <see cref="ErrorIds"/> (the cmdlets also use ids of their own).</param>
        /// <param name="category">What kind of failure it is.</param>
        /// <param name="message">What went wrong (<see cref="Fault"/>); what to do goes in <see cref="Remedy"/>.</param>
        /// <param name="target">What it is about: an id, a name, a path, a key object; null when nothing in particular.</param>
        /// <param name="inner">The failure that caused it, if any.</param>
        public ApiKeyException(string errorId, ApiKeyErrorCategory category, string message, object? target = null, Exception? inner = null)
            : base(message, inner)
        {
            ErrorId = errorId;
            Category = category;
            Target = target;
        }

        /// <summary>The stable id of the failure, one of <see cref="ErrorIds"/>: test this, not the message.</summary>
        public string ErrorId { get; }

        /// <summary>What kind of failure it is.</summary>
        public ApiKeyErrorCategory Category { get; }

        /// <summary>
        /// What the failure is about (an id, a name, a path, a key object), escaped where it is text from outside; null
        /// when nothing in particular.
        /// </summary>
        public object? Target { get; }

        /// <summary>What went wrong, without what to do about it.</summary>
        public string Fault => base.Message;

        /// <summary>What to do about it, for any caller; null when the fault says all.</summary>
        public string? Remedy { get; internal set; }

        /// <summary>The fault, then the remedy when there is one.</summary>
        public override string Message => Remedy == null ? Fault : Fault + " " + Remedy;

        /// <summary>The store itself failed (locked, read-only, unusable): no later item can succeed either.</summary>
        public bool IsStoreFailure => ErrorIds.IsStoreFailure(ErrorId);
    }
}
