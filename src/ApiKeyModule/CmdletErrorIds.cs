namespace ApiKeyModule.Commands
{
    /// <summary>The ErrorIds only the cmdlets raise (the engine's are <see cref="ErrorIds"/>), written out once.</summary>
    internal static class CmdletErrorIds
    {
        public const string StorePathInvalid = "StorePathInvalid";
        public const string ConflictingExpiry = "ConflictingExpiry";
        public const string NoKeyToVerify = "NoKeyToVerify";
        public const string InvalidWildcardPattern = "InvalidWildcardPattern";
        public const string NoTerminal = "NoTerminal";
        public const string EditorFailed = "EditorFailed";
        public const string EditorFolderUnavailable = "EditorFolderUnavailable";
        public const string EditorFolderNotPrivate = "EditorFolderNotPrivate";
        public const string SourceStoreNotFound = "SourceStoreNotFound";
        public const string DestinationInvalid = "DestinationInvalid";
    }
}
