namespace ApiKeyModule
{
    /// <summary>What kind of failure an <see cref="ApiKeyException"/> reports; the cmdlets map it to an ErrorCategory.</summary>
    public enum ApiKeyErrorCategory
    {
        InvalidArgument,
        InvalidData,
        ObjectNotFound,
        ResourceExists,
        ResourceBusy,
        ResourceUnavailable,
        OpenError,
        WriteError,
        PermissionDenied,
        SecurityError,
    }
}
