using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>Where the store lives when no path is given.</summary>
    public static class StoreLocation
    {
        /// <summary>The environment variable that names the store to use when none is given (a path or a PostgreSQL connection).</summary>
        public const string EnvironmentVariable = "APIKEYMODULE_STORE";

        /// <summary>The file name of the per-user store.</summary>
        public const string FileName = "apikeys.db";

        /// <summary>The folder the per-user store is in, under the user's data folder.</summary>
        public const string FolderName = "ApiKeyModule";

        /// <summary>An explicit path wins, then <c>APIKEYMODULE_STORE</c>, then the per-user default.</summary>
        public static string Resolve(string? explicitPath = null)
        {
            if (explicitPath != null && !string.IsNullOrWhiteSpace(explicitPath))
            {
                return Path.GetFullPath(explicitPath);
            }
            string? fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrWhiteSpace(fromEnvironment))
            {
                return Path.GetFullPath(fromEnvironment);
            }
            return Default();
        }

        /// <summary>
        /// The per-user store: ApiKeyModule/apikeys.db in the local application data folder on Windows, else under
        /// $XDG_DATA_HOME (when it is an absolute path) or ~/.local/share.
        /// </summary>
        public static string Default()
        {
            string? root;
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
            }
            else
            {
                root = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
                if (string.IsNullOrWhiteSpace(root) || !Path.IsPathRooted(root))
                {
                    string? home = Environment.GetEnvironmentVariable("HOME");
                    if (string.IsNullOrEmpty(home))
                    {
                        home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
                    }
                    root = Path.Combine(home, ".local", "share");
                }
            }
            return Path.Combine(root, FolderName, FileName);
        }
    }
}
