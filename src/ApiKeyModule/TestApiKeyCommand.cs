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

        [Parameter(ParameterSetName = KeySet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Key { get; set; }

        /// <summary>A key as New-ApiKey or Set-ApiKey -Reset wrote it: verified in the store it was made in.</summary>
        [Parameter(ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        public ApiKey InputObject { get; set; }

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE", IgnoreCase = true)]
        public string Method { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Resource { get; set; }

        /// <summary>Write the verification (Valid, Code, Id, Name, AllowedBy, UsedPreviousKey, PreviousKeyExpiresAt) instead of $true or $false.</summary>
        [Parameter]
        public SwitchParameter Detailed { get; set; }

        protected override void BeginProcessing()
        {
            if ((Method == null) != (Resource == null))
            {
                ThrowTerminatingError(new ApiKeyException("IncompleteRequest", ApiKeyErrorCategory.InvalidArgument,
                    "Give both -Method and -Resource to check authorization, or neither to check the key alone."));
            }
        }

        protected override void ProcessRecord()
        {
            try
            {
                if (ParameterSetName == InputObjectSet && InputObject == null)
                {
                    throw new ApiKeyException("IncompleteRequest", ApiKeyErrorCategory.InvalidArgument,
                        "Give the key to verify: Test-ApiKey -Key <key>, or pipe the output of New-ApiKey.");
                }
                if (InputObject != null && !(InputObject is IssuedApiKey))
                {
                    // A key read from the store has no Key: its own name must not be verified as if it were one.
                    throw new ApiKeyException("NoKeyToVerify", ApiKeyErrorCategory.InvalidArgument,
                        $"The key with Id {InputObject.Id} ('{InputObject.Name}') was read from the store, which keeps only a hash of it. " +
                        "Verify the key a client presents (Test-ApiKey -Key <key>), or pipe the output of New-ApiKey or Set-ApiKey -Reset.", InputObject);
                }
                ApiKeyVerification result = InputObject is IssuedApiKey issued
                    ? StoreOf(issued).Verify(issued.Key, Method, Resource)
                    : Store.Verify(Key, Method, Resource);
                WriteVerbose($"Verification: {result.Code}" + (result.Id != null ? $" (Id {result.Id})" : "") +
                             (result.UsedPreviousKey ? $", by the key's previous key, which works until {UnixTime.Show(result.PreviousKeyExpiresAt)}" : ""));
                WriteObject(Detailed ? (object)result : result.Valid);
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }
    }
}
