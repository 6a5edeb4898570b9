using System;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// The folder of Edit-ApiKey's documents: private to the user (0700 on Unix), never the shared temp folder, so
    /// that a document a killed process leaves behind can be read by no one else.
    /// </summary>
    internal static class EditorFolder
    {
        private static readonly Regex DocumentName = new Regex(@"^apikey-(?<host>.+)-(?<pid>[0-9]+)-[0-9a-f]{32}\.yaml$", RegexOptions.CultureInvariant);

        /// <summary>$XDG_RUNTIME_DIR/ApiKeyModule when that is set (a folder that exists), else "edit" next to the default store.</summary>
        public static string Location()
        {
            string? runtime = Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR");
            if (UnixPermissions.IsUnix && !string.IsNullOrWhiteSpace(runtime) && Path.IsPathRooted(runtime) && Directory.Exists(runtime))
            {
                return Path.Combine(runtime, StoreLocation.FolderName);
            }
            return Path.Combine(Path.GetDirectoryName(StoreLocation.Default()), "edit");
        }

        /// <summary>Creates the folder private to the user, or checks that the one there is; returns it.</summary>
        public static string Prepare()
        {
            string folder = Path.GetFullPath(Location());
            try
            {
                UnixPermissions.CreatePrivateFolder(folder);
                if (UnixPermissions.IsUnix)
                {
                    CheckPrivate(folder, UnixFileStatus.Lstat(folder));
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                // Not created, or not checked (the runtime's shim missing): no document goes in it either way.
                throw new ApiKeyException(CmdletErrorIds.EditorFolderUnavailable, ApiKeyErrorCategory.OpenError,
                    $"Could not create or check the folder for Edit-ApiKey's documents, '{folder}': {e.Message.TrimEnd('.')}. " +
                    "Make sure you can create it, or set XDG_RUNTIME_DIR to a folder of your own.", folder, e);
            }
            return folder;
        }

        /// <summary>A new document's path: the host and process id in the name tell whose it is, for <see cref="RemoveLeftovers"/>.</summary>
        public static string NewDocumentPath(string folder) =>
            Path.Combine(folder, $"apikey-{HostName()}-{CurrentProcessId()}-{Guid.NewGuid():N}.yaml");

        /// <summary>Deletes the documents of processes of this host that have ended without removing theirs (killed).</summary>
        public static void RemoveLeftovers(string folder)
        {
            int self = CurrentProcessId();
            try
            {
                foreach (string path in Directory.EnumerateFiles(folder, "apikey-*.yaml"))
                {
                    Match match = DocumentName.Match(Path.GetFileName(path));
                    if (match.Success && string.Equals(match.Groups["host"].Value, HostName(), StringComparison.OrdinalIgnoreCase) &&
                        int.TryParse(match.Groups["pid"].Value, out int pid) && pid != self && !IsRunning(pid))
                    {
                        File.Delete(path);
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // Tidying is not the command's job: what cannot be removed now is tried again next time.
            }
        }

        private static void CheckPrivate(string folder, UnixFileStatus? status)
        {
            string? why = null;
            string fix = "Remove it or move it away: Edit-ApiKey then creates the folder again, private to you.";
            if (status == null)
            {
                why = "was removed while it was being checked";
                fix = "Run the command again.";
            }
            else if (status.IsSymbolicLink)
            {
                why = "is a symbolic link, not a folder of your own";
            }
            else if (!status.IsDirectory)
            {
                why = "is not a folder";
            }
            else if (!status.IsOwnedByCurrentUser)
            {
                why = $"belongs to user id {status.UserId}, not to you (user id {UnixFileStatus.EffectiveUserId})";
                fix = "Ask its owner or an administrator to remove it: Edit-ApiKey then creates the folder again, private to you.";
            }
            else if (status.IsOpenToGroupOrOthers)
            {
                why = $"has mode {Convert.ToString(status.Permissions, 8).PadLeft(4, '0')}, which lets other users in";
                fix = $"Make it private with: chmod 700 '{folder}'";
            }
            if (why != null)
            {
                throw new ApiKeyException(CmdletErrorIds.EditorFolderNotPrivate, ApiKeyErrorCategory.SecurityError,
                    $"Edit-ApiKey keeps its documents in a folder only you can use, but '{folder}' {why}; no document was written. {fix}", folder);
            }
        }

        private static bool IsRunning(int pid)
        {
            try
            {
                using (Process.GetProcessById(pid))
                {
                    return true;
                }
            }
            catch (ArgumentException)
            {
                return false;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        private static string HostName() => Regex.Replace(Environment.MachineName, "[^A-Za-z0-9.-]", "_");

        private static int CurrentProcessId()
        {
            using (Process self = Process.GetCurrentProcess())
            {
                return self.Id;
            }
        }
    }
}
