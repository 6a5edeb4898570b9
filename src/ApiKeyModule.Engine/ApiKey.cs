using System;
using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>An API key as stored: never carries the key or its hash.</summary>
    public class ApiKey
    {
        internal ApiKey(int id, string name, DateTime createdAt, IReadOnlyList<AllowlistEntry> allowlist)
        {
            Id = id;
            Name = name;
            CreatedAt = createdAt;
            Allowlist = allowlist;
        }

        public int Id { get; }
        public string Name { get; }
        /// <summary>UTC.</summary>
        public DateTime CreatedAt { get; }
        public IReadOnlyList<AllowlistEntry> Allowlist { get; }

        public override string ToString() => Name;
    }
}
