using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace ApiKeyModule.Commands
{
    [Cmdlet(VerbsCommon.Set, "ApiKey", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = InputObjectSet)]
    [OutputType(typeof(ApiKey), typeof(IssuedApiKey))]
    public sealed class SetApiKeyCommand : SingleKeyCmdlet
    {
        // Made from the parameters by BeginProcessing.
        private ApiKeyChanges changes = new ApiKeyChanges();

        // Name and Allowlist are not taken from the pipeline: a piped key would otherwise set its own values back.
        [Parameter]
        public string? Name { get; set; }

        [Parameter]
        [AllowEmptyCollection]
        public object?[]? Allowlist { get; set; }

        /// <summary>Replace the secret; the old key stops working at once (or after -GracePeriod). The new key is always written out.</summary>
        [Parameter]
        public SwitchParameter Reset { get; set; }

        /// <summary>With -Reset: how long the current key keeps working beside the new one (1 second to 30 days, not past the key's expiry).</summary>
        [Parameter]
        [GracePeriodInput]
        public TimeSpan GracePeriod { get; set; }

        /// <summary>When the key stops working (a local time unless its Kind is Utc); it must lie in the future.</summary>
        [Parameter]
        public DateTime ExpiresAt { get; set; }

        /// <summary>Remove the expiry date: the key works until it is revoked or removed.</summary>
        [Parameter]
        public SwitchParameter NeverExpires { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            try
            {
                changes = new ApiKeyChanges
                {
                    Name = IsBound(nameof(Name)) ? NameRules.Validate(Name) : null,
                    Allowlist = IsBound(nameof(Allowlist)) ? AllowlistInput.Convert(Allowlist) : null,
                    Reset = Reset,
                    GracePeriod = IsBound(nameof(GracePeriod)) ? GraceRules.Validate(GracePeriod, Reset) : null,
                    ExpiresAt = IsBound(nameof(ExpiresAt)) ? ExpiryRules.Validate(ExpiresAt) : null,
                    NeverExpires = NeverExpires,
                };
                if (changes.IsEmpty)
                {
                    throw new ApiKeyException(ErrorIds.NoChangeRequested, ApiKeyErrorCategory.InvalidArgument,
                        "Nothing to change. Give -Name, -Allowlist, -ExpiresAt, -NeverExpires or -Reset.");
                }
                if (changes.ExpiresAt != null && changes.NeverExpires)
                {
                    throw new ApiKeyException(CmdletErrorIds.ConflictingExpiry, ApiKeyErrorCategory.InvalidArgument,
                        "Give -ExpiresAt or -NeverExpires, not both.");
                }
            }
            catch (ApiKeyException e)
            {
                ThrowTerminatingError(e);
            }
        }

        protected override void ProcessRecord() =>
            ChangeEach(SelectedKeys(), Action(), target => WriteUpdated(target.Store.Update(target.Key, changes), changes, PassThru));

        private string Action()
        {
            var parts = new List<string>();
            if (changes.Name != null)
            {
                parts.Add($"Rename API key to '{changes.Name}'");
            }
            if (changes.Allowlist != null)
            {
                parts.Add(changes.Allowlist.Count == 0 ? "Clear the allowlist" : "Replace the allowlist with " + string.Join(", ", changes.Allowlist));
            }
            if (changes.ExpiresAt != null || changes.NeverExpires)
            {
                parts.Add("Set expiry to " + UnixTime.Show(changes.ExpiresAt));
            }
            if (changes.Reset)
            {
                parts.Add(changes.GracePeriod == null
                    ? "Reset the key (the current key stops working at once)"
                    : $"Reset the key (the current key keeps working for {GraceRules.Show(changes.GracePeriod.Value)}, until about {UnixTime.Show(UnixTime.Now() + changes.GracePeriod.Value)})");
            }
            return string.Join("; ", parts);
        }
    }
}
