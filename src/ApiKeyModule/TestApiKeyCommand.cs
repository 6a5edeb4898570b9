using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsDiagnostic.Test, "ApiKey")]
    [OutputType(typeof(bool), typeof(ApiKeyVerification))]
    public sealed class TestApiKeyCommand : ApiKeyCmdlet
    {
        /// <summary>The key as a client presents it: "&lt;id&gt;-&lt;secret&gt;". Binds the Key property of New-ApiKey's output.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Key { get; set; }

        [Parameter]
        [ValidateSet("GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE", IgnoreCase = true)]
        public string Method { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Resource { get; set; }

        /// <summary>Write the verification (Valid, Code, Id, Name, AllowedBy) instead of $true or $false.</summary>
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
                ApiKeyVerification result = Store.Verify(Key, Method, Resource);
                WriteVerbose($"Verification: {result.Code}" + (result.Id != null ? $" (Id {result.Id})" : ""));
                WriteObject(Detailed ? (object)result : result.Valid);
            }
            catch (ApiKeyException e)
            {
                WriteError(e);
            }
        }
    }
}
