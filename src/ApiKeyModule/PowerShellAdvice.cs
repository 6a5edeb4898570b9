using System;
using System.Collections.Generic;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// The engine's remedies (<see cref="Remedies"/>) in PowerShell's words: the parameters and commands that do them.
    /// An error record shows the engine's fault with this advice, and holds it as its RecommendedAction.
    /// </summary>
    internal static class PowerShellAdvice
    {
        private static readonly Dictionary<string, Func<ApiKeyException, string>> ByRemedy = new Dictionary<string, Func<ApiKeyException, string>>
        {
            [Remedies.GiveAChange] = e => "Give -Name, -Allowlist, -ExpiresAt, -NeverExpires or -Reset.",
            [Remedies.GiveAFutureDate] = e => "Give a date in the future, for example (Get-Date).AddDays(90).",
            [Remedies.GiveAPastBound] = e => "Give a time in the past, such as (Get-Date).AddDays(-90), or the present, (Get-Date), to clear everything so far.",
            [Remedies.ListKeys] = e => "Run Get-ApiKey to list the keys.",
            [Remedies.ListOrMatchKeys] = e => $"Run Get-ApiKey to list the keys, or use a wildcard such as '{e.Target}*'.",
            [Remedies.ReadKeysAgain] = e => "Read the keys again with Get-ApiKey.",
            [Remedies.UseOwnStore] = e => "Pipe the key without -StorePath, or give -Id to name a key of the other store.",
            [Remedies.GraceWithReset] = e => "Give -GracePeriod with -Reset (in a key document, grace_period with reset: true).",
            [Remedies.GraceOverASecond] = e => "A bare number binds as ticks (-GracePeriod 30 is 3 microseconds): give at least a second. " + Remedies.GraceForms,
            [Remedies.CheckLogin] = e => "Check Username in the connection string and the password: give it with -Credential, in PGPASSWORD or in the pgpass file.",
            [Remedies.WritableFile] = e => "Give your user write access to the file and its folder, or use another -StorePath.",
            [Remedies.PointAtAStore] = e => "Point -StorePath at an ApiKeyModule store, or at a path where a new one can be created.",
            [Remedies.CheckStorePath] = e => $"Check the path given by -StorePath or $env:{StoreLocation.EnvironmentVariable}.",
        };

        /// <summary>What to do, as a PowerShell user does it: the engine's remedy where it fits as it is; null when the fault says all.</summary>
        public static string? For(ApiKeyException e) =>
            e.Remedy != null && ByRemedy.TryGetValue(e.Remedy, out Func<ApiKeyException, string> advice) ? advice(e) : e.Remedy;

        /// <summary>The whole message a PowerShell user reads: the fault, then what to do.</summary>
        public static string Message(ApiKeyException e)
        {
            string? advice = For(e);
            return advice == null ? e.Fault : e.Fault + " " + advice;
        }
    }
}
