using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Creates private folders (0700) and files (0600) on Unix that never exist with wider permissions, not even for a
    /// moment; for a store shared by a group, 0770 and 0660. Each is created with its mode (mkdir; files through
    /// <see cref="UnixCreateMode"/>), then given exactly that mode (the umask may have narrowed it): the process's umask,
    /// which all its runspaces share, is left alone. Only on runtimes older than .NET 7 is a file created under a
    /// narrowed umask, for that moment.
    /// </summary>
    internal static class UnixPermissions
    {
        private static readonly object Gate = new object();

        public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

        public static void CreatePrivateFile(string path, bool groupShared = false)
        {
            string folder = Path.GetDirectoryName(path);
            if (!IsUnix)
            {
                Directory.CreateDirectory(folder);
                using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite)) { }
                return;
            }
            uint folderMode = Convert.ToUInt32(groupShared ? "770" : "700", 8);
            uint fileMode = Convert.ToUInt32(groupShared ? "660" : "600", 8);
            CreateParents(folder, folderMode);
            MakeFolderIfMissing(folder, folderMode);
            // A file already there is an IOException, as with FileMode.CreateNew.
            if (!UnixCreateMode.TryCreateFile(path, fileMode))
            {
                lock (Gate)
                {
                    uint previous = umask(Convert.ToUInt32(groupShared ? "007" : "077", 8));
                    try
                    {
                        using (new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite)) { }
                    }
                    finally
                    {
                        // What it returns is the mask set above.
                        _ = umask(previous);
                    }
                }
            }
            // Made with at most this mode (the umask only narrows it): a failure here leaves it no more open than asked.
            _ = chmod(path, fileMode);
        }

        /// <summary>
        /// Creates <paramref name="folder"/> (and its missing parents) private to this user; true when this call made
        /// it, false when something was already there. What was there is left as it is: check it before trusting it.
        /// </summary>
        public static bool CreatePrivateFolder(string folder)
        {
            folder = Path.GetFullPath(folder);
            if (!IsUnix)
            {
                bool existed = Directory.Exists(folder) || File.Exists(folder);
                Directory.CreateDirectory(folder);
                return !existed;
            }
            uint mode = Convert.ToUInt32("700", 8);
            folder = folder.TrimEnd('/');
            CreateParents(folder, mode);
            return MakeFolder(folder, mode);
        }

        /// <summary>The missing folders above <paramref name="folder"/>, from the top down, each with <paramref name="mode"/>.</summary>
        private static void CreateParents(string folder, uint mode)
        {
            var missing = new Stack<string>();
            for (string parent = Path.GetDirectoryName(folder); !string.IsNullOrEmpty(parent) && !Directory.Exists(parent); parent = Path.GetDirectoryName(parent))
            {
                missing.Push(parent);
            }
            foreach (string parent in missing)
            {
                MakeFolderIfMissing(parent, mode);
            }
        }

        private static void MakeFolderIfMissing(string folder, uint mode)
        {
            if (!MakeFolder(folder, mode) && !Directory.Exists(folder))
            {
                throw new IOException($"Could not create the folder '{folder}': a file of that name is in the way.");
            }
        }

        /// <summary>mkdir with the mode, then exactly the mode; false when something is already there (another process may have just made it).</summary>
        private static bool MakeFolder(string folder, uint mode)
        {
            if (mkdir(folder, mode) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == AlreadyExists)
                {
                    return false;
                }
                string message = $"Could not create the folder '{folder}': {new System.ComponentModel.Win32Exception(errno).Message}.";
                // As .NET reports them: a folder this user may not write is refused access, not an I/O failure.
                throw errno == NoAccess || errno == NotPermitted ? new UnauthorizedAccessException(message) : new IOException(message);
            }
            // The umask, or a default ACL on the parent, can make a new folder differ from the mode; this folder is ours to set.
            // A failure leaves the mode mkdir gave: the store's folder is checked on every open (StoreTrust), the editor's once made.
            _ = chmod(folder, mode);
            return true;
        }

        /// <summary>Whether this user may not create files in the folder of <paramref name="path"/> (Unix; false elsewhere).</summary>
        public static bool IsFolderReadOnly(string path)
        {
            const int WriteOk = 2;
            string folder = Path.GetDirectoryName(path);
            return IsUnix && Directory.Exists(folder) && access(folder, WriteOk) != 0;
        }

        // EEXIST, EACCES and EPERM, the same on Linux and macOS.
        private const int AlreadyExists = 17;
        private const int NoAccess = 13;
        private const int NotPermitted = 1;

        [DllImport("libc", SetLastError = true)]
        private static extern int mkdir(string path, uint mode);

        [DllImport("libc", SetLastError = true)]
        private static extern int access(string path, int mode);

        [DllImport("libc", SetLastError = true)]
        private static extern uint umask(uint mask);

        [DllImport("libc", SetLastError = true)]
        private static extern int chmod(string path, uint mode);
    }
}
