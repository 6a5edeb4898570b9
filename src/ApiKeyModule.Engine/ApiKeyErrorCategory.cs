namespace ApiKeyModule
{
    /// <summary>What kind of failure an <see cref="ApiKeyException"/> reports (the cmdlets give it as PowerShell's ErrorCategory of the same name).</summary>
    public enum ApiKeyErrorCategory
    {
        /// <summary>A value given is not acceptable: a name, an allowlist entry, an expiry, a grace period...</summary>
        InvalidArgument,

        /// <summary>Data read is not acceptable: a document too complex, or a store that is not one, too new, or damaged.</summary>
        InvalidData,

        /// <summary>What was asked for is not there: a key, a store to copy.</summary>
        ObjectNotFound,

        /// <summary>It is there already: a key with the same name, a copy's destination that holds keys.</summary>
        ResourceExists,

        /// <summary>The store is locked by another writer for longer than the busy timeout.</summary>
        ResourceBusy,

        /// <summary>Something the engine needs could not be loaded (the bundled SQLite library).</summary>
        ResourceUnavailable,

        /// <summary>The store cannot be opened: a bad path, a server that does not answer, a refused login.</summary>
        OpenError,

        /// <summary>The store failed to write: the disk is full, or the database reported an error.</summary>
        WriteError,

        /// <summary>This user may not write the store: a read-only file or folder, a role without the grant.</summary>
        PermissionDenied,

        /// <summary>Refused to keep the store or a document safe: a store others can write, a document with object-building tags.</summary>
        SecurityError,
    }
}
