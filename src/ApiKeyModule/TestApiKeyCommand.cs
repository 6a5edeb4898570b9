using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "ApiKey", DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(bool), typeof(ApiKeyVerification))]
    public sealed class TestApiKeyCommand : ApiKeyCmdlet
    {
        /// <summary>The key as a client presents it: "&lt;id&gt;-&lt;secret&gt;". Binds the Key property of New-ApiKey's output.</summary>
        private const string KeySet = "Key";
        private const string InputObjectSet = "InputObject";
        // The stores verified in, whose records (last uses, failed verifications) are written at the end.
        private readonly List<ApiKeyStore> recording = new List<ApiKeyStore>();
        private ApiKeyException? notRecorded;
        private bool warned;

        [Parameter(ParameterSetName = KeySet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Key { get; set; } = "";

        /// <summary>A key as New-ApiKey or Set-ApiKey -Reset wrote it: verified in the store it was made in.</summary>
        [Parameter(ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        public ApiKey? InputObject { get; set; }

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE", IgnoreCase = true)]
        public string? Method { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Resource { get; set; }

        /// <summary>Write the verification (Valid, Code, Id, Name, AllowedBy, UsedPreviousKey, PreviousKeyExpiresAt) instead of $true or $false.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void BeginProcessing()
        {
            if ((Method == null) != (Resource == null))
            {
                ThrowTerminatingError(new ApiKeyException(ErrorIds.IncompleteRequest, ApiKeyErrorCategory.InvalidArgument,
                    "Give both -Method and -Resource to check authorization, or neither to check the key alone."));
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                if (ParameterSetName == InputObjectSet && InputObject == null)
                {
                    throw new ApiKeyException(ErrorIds.IncompleteRequest, ApiKeyErrorCategory.InvalidArgument,
                        "Give the key to verify: Test-ApiKey -Key <key>, or pipe the output of New-ApiKey.");
                }
                if (InputObject != null && !(InputObject is IssuedApiKey))
                {
                    // A key read from the store has no Key: its own name must not be verified as if it were one.
                    throw new ApiKeyException(CmdletErrorIds.NoKeyToVerify, ApiKeyErrorCategory.InvalidArgument,
                        $"The key with Id {InputObject.Id} ('{InputObject.Name}') was read from the store, which keeps only a hash of it. " +
                        "Verify the key a client presents (Test-ApiKey -Key <key>), or pipe the output of New-ApiKey or Set-ApiKey -Reset.", InputObject);
                }
                var issued = InputObject as IssuedApiKey;
                ApiKeyStore store = issued != null ? StoreOf(issued) : Store;
                Watch(store);
                ApiKeyVerification result = store.Verify(issued != null ? issued.Key : Key, Method, Resource);
                WriteVerbose($"Verification: {result.Code}" + (result.Id != null ? $" (Id {result.Id})" : "") +
                             (result.UsedPreviousKey ? $", by the key's previous key, which works until {UnixTime.Show(result.PreviousKeyExpiresAt)}" : ""));
                WriteObject(Detailed ? (object)result : result.Valid);
                WarnIfNotRecorded();
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }

        /// <summary>
        /// Writes what was recorded before the stores close, so that a store this user may not write (a read-only file, a
        /// PostgreSQL role allowed only to read) is said once, as a warning: the verifications themselves stand.
        /// </summary>
        protected override void EndProcessing()
        {
            foreach (ApiKeyStore store in recording)
            {
                store.FlushRecorded();
            }
            WarnIfNotRecorded();
            base.EndProcessing();
        }

        private void Watch(ApiKeyStore store)
        {
            if (!recording.Contains(store))
            {
                store.RecordingFailed = e => notRecorded = notRecorded ?? e;
                recording.Add(store);
            }
        }

        private void WarnIfNotRecorded()
        {
            if (notRecorded != null && !warned)
            {
                warned = true;
                WriteWarning("What was verified (last uses and failed verifications) could not be recorded in the audit log and on the keys: " +
                             PowerShellAdvice.Message(notRecorded) + " The verifications themselves are not affected.");
            }
        }
    }
}
