using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;

namespace ApiKeyModule.Commands
{
    /// <summary>What every cmdlet shares: -StorePath, the store opened on first use, and errors as ErrorRecords.</summary>
    public abstract class ApiKeyCmdlet : PSCmdlet, IDisposable
    {
        private ApiKeyStore? store;
        // The stores piped keys came from, by the location each was opened at; null where there is no store any more.
        private readonly Dictionary<string, ApiKeyStore?> origins = new Dictionary<string, ApiKeyStore?>(StringComparer.Ordinal);

        /// <summary>
        /// The store: a file path, or a PostgreSQL connection string or URI (-ConnectionString is the same parameter);
        /// default: $env:APIKEYMODULE_STORE, then the per-user store.
        /// </summary>
        [Parameter]
        [Alias("ConnectionString")]
        [ValidateNotNullOrEmpty]
        public string? StorePath { get; set; }

        /// <summary>Who to connect to a PostgreSQL store as (instead of a user and password in the connection string).</summary>
        [Parameter]
        [Credential]
        [ValidateNotNull]
        public PSCredential? Credential { get; set; }

        /// <summary>Opened on first use, so that bad input (and New-ApiKey -WhatIf) never creates a store; created when missing, so never null.</summary>
        protected ApiKeyStore Store => store ?? (store = OpenStore(create: true)!);

        /// <summary>Like <see cref="Store"/>, but null when there is no store yet: reading, changing or removing keys never creates one.</summary>
        protected ApiKeyStore? ExistingStore => store ?? (store = OpenStore(create: false));

        /// <summary>
        /// The store a key object acts on: the one it was read from. -StorePath (typed or from $PSDefaultParameterValues)
        /// may name that same store, but never redirects the key: another store is KeyFromOtherStore. The default store
        /// and $env:APIKEYMODULE_STORE only say where keys named by -Id or -Name live.
        /// </summary>
        protected ApiKeyStore StoreOf(ApiKey key)
        {
            if (IsBound(nameof(StorePath)))
            {
                ApiKeyStore? given = ExistingStore;
                return given != null && given.Id == key.StoreId ? given : throw ApiKeyStore.FromOtherStore(key, given);
            }
            if (!origins.TryGetValue(key.Store, out ApiKeyStore? own))
            {
                own = Opened(() => ApiKeyStore.Reopen(key));
                origins.Add(key.Store, own);
            }
            if (own == null)
            {
                throw new ApiKeyException(ErrorIds.ApiKeyNotFound, ApiKeyErrorCategory.ObjectNotFound,
                    $"The key with Id {key.Id} ('{key.Name}') was read from the store '{key.Store}', which is no longer there. Nothing was changed.", key);
            }
            return own.Id == key.StoreId ? own : throw ApiKeyStore.FromOtherStore(key, own);
        }

        /// <summary>
        /// The key to act on, as its store holds it now: a piped key in its own store (<see cref="StoreOf"/>), or the key
        /// with this id in the store chosen by -StorePath or the default. ApiKeyNotFound when there is none.
        /// </summary>
        internal KeyInStore FindKey(ApiKey? piped, int id)
        {
            if (piped != null)
            {
                ApiKeyStore own = StoreOf(piped);
                return new KeyInStore(own, own.Find(piped));
            }
            ApiKey key = ExistingStore?.Get(id) ?? throw ApiKeyStore.NotFound(id);
            return new KeyInStore(Store, key);
        }

        /// <summary>The store -StorePath and -Credential name; with <paramref name="create"/> never null (a missing store is created).</summary>
        private ApiKeyStore? OpenStore(bool create)
        {
            try
            {
                string? location = StorePath;
                if (location != null && !StoreAddress.IsPostgres(location))
                {
                    location = SessionState.Path.GetUnresolvedProviderPathFromPSPath(location);
                }
                NetworkCredential? credential = Credential?.GetNetworkCredential();
                ApiKeyStore? opened = Opened(() => create ? ApiKeyStore.Open(location, credential) : ApiKeyStore.OpenIfExists(location, credential));
                if (opened == null)
                {
                    WriteVerbose("There is no store at '" + StoreLocation.Resolve(location) + "' yet: it has no keys.");
                }
                return opened;
            }
            catch (Exception e) when (e is ItemNotFoundException || e is ProviderNotFoundException || e is DriveNotFoundException || e is NotSupportedException)
            {
                ThrowTerminatingError(new ErrorRecord(e, CmdletErrorIds.StorePathInvalid, ErrorCategory.InvalidArgument, StorePath));
                // Not reached: ThrowTerminatingError throws.
                throw;
            }
        }

        private ApiKeyStore? Opened(Func<ApiKeyStore?> open)
        {
            try
            {
                ApiKeyStore? opened = open();
                if (opened != null)
                {
                    WriteVerbose("Using the store '" + opened.Path + "'.");
                }
                return opened;
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(ToErrorRecord(e));
                // Not reached: ThrowTerminatingError throws.
                throw;
            }
        }

        protected override void EndProcessing() => Dispose();

        protected bool IsBound(string parameter) => MyInvocation.BoundParameters.ContainsKey(parameter);

        /// <summary>What <paramref name="find"/> finds, or null when it fails: reported, non-terminating unless the store itself failed.</summary>
        internal T? Found<T>(Func<T> find) where T : class
        {
            try
            {
                return find();
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
                return null;
            }
        }

        /// <summary>
        /// Changes each key the user confirms (ShouldProcess, with <paramref name="action"/>); a key that cannot be
        /// changed is reported, non-terminating, and the next one goes on.
        /// </summary>
        internal void ChangeEach(IEnumerable<KeyInStore> keys, string action, Action<KeyInStore> change)
        {
            foreach (KeyInStore target in keys)
            {
                try
                {
                    if (ShouldProcess(target.ToString(), action))
                    {
                        change(target);
                    }
                }
                catch (ApiKeyException e)
                {
                    WriteError(e);
                }
            }
        }

        public void Dispose()
        {
            store?.Dispose();
            store = null;
            foreach (ApiKeyStore? own in origins.Values)
            {
                own?.Dispose();
            }
            origins.Clear();
            GC.SuppressFinalize(this);
        }

        /// <summary>Writes a new key, warning first when it grants nothing (an empty allowlist, as in TrueNAS 22.12 and later).</summary>
        protected void WriteCreated(IssuedApiKey key)
        {
            WarnIfGrantsNothing(key);
            WriteObject(key);
        }

        protected void WarnIfGrantsNothing(ApiKey key)
        {
            if (key.Allowlist.Count == 0)
            {
                WriteWarning($"The key '{key.Name}' (Id {key.Id}) has an empty allowlist, which grants nothing. " +
                             $"Grant access with: Set-ApiKey -Id {key.Id} -Allowlist @{{method='CALL'; resource='system.info'}}");
            }
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

        /// <summary>The engine's error, with PowerShell's advice (<see cref="PowerShellAdvice"/>) where it has its own.</summary>
        internal static ErrorRecord ToErrorRecord(ApiKeyException e)
        {
            var record = new ErrorRecord(e, e.ErrorId, ErrorCategories.From(e.Category), e.Target);
            string? advice = PowerShellAdvice.For(e);
            if (advice != null)
            {
                record.ErrorDetails = new ErrorDetails(PowerShellAdvice.Message(e)) { RecommendedAction = advice };
            }
            return record;
        }
    }
}
