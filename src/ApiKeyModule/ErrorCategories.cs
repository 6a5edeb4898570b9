using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>The engine's categories as PowerShell's.</summary>
    internal static class ErrorCategories
    {
        public static ErrorCategory From(ApiKeyErrorCategory category)
        {
            switch (category)
            {
                case ApiKeyErrorCategory.InvalidArgument: return ErrorCategory.InvalidArgument;
                case ApiKeyErrorCategory.InvalidData: return ErrorCategory.InvalidData;
                case ApiKeyErrorCategory.ObjectNotFound: return ErrorCategory.ObjectNotFound;
                case ApiKeyErrorCategory.ResourceExists: return ErrorCategory.ResourceExists;
                case ApiKeyErrorCategory.ResourceBusy: return ErrorCategory.ResourceBusy;
                case ApiKeyErrorCategory.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
                case ApiKeyErrorCategory.OpenError: return ErrorCategory.OpenError;
                case ApiKeyErrorCategory.WriteError: return ErrorCategory.WriteError;
                case ApiKeyErrorCategory.PermissionDenied: return ErrorCategory.PermissionDenied;
                case ApiKeyErrorCategory.SecurityError: return ErrorCategory.SecurityError;
                default: throw new ArgumentOutOfRangeException(nameof(category), category, "No PowerShell category is given for this one.");
            }
        }
    }
}
