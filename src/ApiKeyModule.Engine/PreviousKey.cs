using System;

namespace ApiKeyModule
{
    /// <summary>What a change does to the previous secret a key keeps after a reset with a grace period.</summary>
    internal enum PreviousKeyUpdate
    {
        /// <summary>Kept, its end written from <see cref="StoredKey.PreviousKeyExpiresAt"/> (which may shorten it, never lengthen it).</summary>
        Keep,
        /// <summary>Removed: its hash, end and last use.</summary>
        Clear,
        /// <summary>The secret being replaced becomes the previous one, until <see cref="StoredKey.PreviousKeyExpiresAt"/>, not yet used.</summary>
        FromCurrent,
    }

    /// <summary>A key's previous secret as stored (without its hash), times in milliseconds since 1970.</summary>
    internal sealed class PreviousKeyRow
    {
        public string Name { get; set; } = "";
        public long ExpiresAt { get; set; }
        public long? LastUsedAt { get; set; }

        /// <summary>The row a reader is on, when its columns are: name, previous_key_expires_at, previous_key_last_used_at.</summary>
        public static PreviousKeyRow FromRow(System.Data.Common.DbDataReader reader) => new PreviousKeyRow
        {
            Name = reader.GetString(0),
            ExpiresAt = reader.GetInt64(1),
            LastUsedAt = reader.IsDBNull(2) ? (long?)null : reader.GetInt64(2),
        };
    }

    /// <summary>A verification by a key's previous secret, to be written as its last use: only while that secret is the one stored.</summary>
    internal sealed class PreviousKeyUse
    {
        public int Id { get; set; }
        public long At { get; set; }
        public byte[] Hash { get; set; } = Array.Empty<byte>();
    }
}
