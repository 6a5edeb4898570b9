using System.Collections.Generic;

namespace ApiKeyModule
{
    /// <summary>What an update changes; a null member is left as it is.</summary>
    public sealed class ApiKeyChanges
    {
        public string Name { get; set; }
        public IReadOnlyList<AllowlistEntry> Allowlist { get; set; }
        /// <summary>Replace the secret: the old key stops working at once.</summary>
        public bool Reset { get; set; }

        public bool IsEmpty => Name == null && Allowlist == null && !Reset;
    }
}
