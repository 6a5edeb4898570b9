namespace ApiKeyModule
{
    /// <summary>
    /// The remedies (<see cref="ApiKeyException.Remedy"/>) that the cmdlets say in PowerShell's words instead, with the
    /// parameters and commands that do them (see PowerShellAdvice in the cmdlets).
    /// </summary>
    internal static class Remedies
    {
        public const string GiveAChange = "Give at least one change: a name, an allowlist, an expiry (or none), or a reset.";
        public const string GiveAFutureDate = "Give a date in the future.";
        public const string GiveAPastBound = "Give a time in the past, or the present to clear everything so far.";
        public const string ListKeys = "List the keys to find the one meant.";
        public const string ListOrMatchKeys = "List the keys, or match the name with a wildcard pattern.";
        public const string ReadKeysAgain = "Read the keys again.";
        public const string UseOwnStore = "Use the key with the store it was read from, or name the key by its id in the other store.";
        public const string GraceWithReset = "Give the grace period with a reset (in a key document, with reset: true).";
        public const string GraceForms = "Write it as d.hh:mm:ss (1.00:00:00 is a day, 01:00:00 an hour) or as an ISO 8601 duration (P1D, PT1H, PT90S).";
        public const string GraceOverASecond = "Give at least a second. " + GraceForms;
        public const string CheckLogin = "Check Username in the connection string and the password: give it in the connection string, in PGPASSWORD or in the pgpass file.";
        public const string WritableFile = "Give your user write access to the file and its folder, or use another store.";
        public const string PointAtAStore = "Give the path of an ApiKeyModule store, or of a place where a new one can be created.";
        public const string CheckStorePath = "Check the store path given, or $" + StoreLocation.EnvironmentVariable + ".";
    }
}
