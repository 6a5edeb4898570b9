using System;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    /// <summary>What every cmdlet shares: -StorePath, the store opened on first use, and errors as ErrorRecords.</summary>
    public abstract class ApiKeyCmdlet : PSCmdlet, IDisposable
    {
        private ApiKeyStore store;

        /// <summary>The store file; default: $env:APIKEYMODULE_STORE, then the per-user store.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string StorePath { get; set; }

        /// <summary>Opened on first use, so that bad input (and New-ApiKey -WhatIf) never creates a store.</summary>
        protected ApiKeyStore Store => store ?? (store = OpenStore(create: true));

        /// <summary>Like <see cref="Store"/>, but null when there is no store yet: reading, changing or removing keys never creates one.</summary>
        protected ApiKeyStore ExistingStore => store ?? (store = OpenStore(create: false));

        private ApiKeyStore OpenStore(bool create)
        {
            try
            {
                string path = StorePath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(StorePath);
                ApiKeyStore opened = create ? ApiKeyStore.Open(path) : ApiKeyStore.OpenIfExists(path);
                WriteVerbose(opened != null ? "Using the store '" + opened.Path + "'." : "There is no store at '" + StoreLocation.Resolve(path) + "' yet: it has no keys.");
                return opened;
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
            }
            catch (Exception e) when (e is ItemNotFoundException || e is ProviderNotFoundException || e is DriveNotFoundException || e is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(e, "StorePathInvalid", ErrorCategory.InvalidArgument, StorePath));
            }
            return null;
        }

        protected override void EndProcessing() => Dispose();

        protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

        public void Dispose()
        {
            store?.Dispose();
            store = null;
        }

        /// <summary>Writes a new key, warning first when it grants nothing (an empty allowlist, as in TrueNAS 22.12 and later).</summary>
        protected void WriteCreated(IssuedApiKey key)
        {
            if (key.Allowlist.Count == 0)
            {
                WriteWarning($"The key '{key.Name}' (Id {key.Id}) has an empty allowlist, which grants nothing. " +
                             $"Grant access with: Set-ApiKey -Id {key.Id} -Allowlist @{{method='CALL'; resource='system.info'}}");
            }
            WriteObject(key);
        }

        /// <summary>A per-item error, except that a failure of the store itself stops the command.</summary>
        protected void WriteError(ApiKeyException e)
        {
            if (e.IsStoreFailure)
            {
                ThrowTerminatingError(e);
            }
            WriteError(ToErrorRecord(e));
        }

        protected void ThrowTerminatingError(ApiKeyException e) => ThrowTerminatingError(ToErrorRecord(e));

        internal static ErrorRecord ToErrorRecord(ApiKeyException e)
        {
            var category = (ErrorCategory)Enum.Parse(typeof(ErrorCategory), e.Category.ToString());
            return new ErrorRecord(e, e.ErrorId, category, e.Target);
        }

        internal static string Describe(ApiKey key) => $"Id {key.Id} ('{key.Name}')";
    }
}
