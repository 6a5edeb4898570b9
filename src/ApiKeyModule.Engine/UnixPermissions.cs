using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Creates private folders (0700) and files (0600) on Unix that never exist with wider permissions, not even for a
    /// moment; for a store shared by a group, 0770 and 0660. Each is created with its mode (see <see cref="UnixCreateMode"/>),
    /// then given exactly that mode (the umask may have narrowed it). Only runtimes older than .NET 7 narrow the umask
    /// around the creation, which every thread of the process shares for that moment.
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
            bool folderIsNew = !Directory.Exists(folder);
            if (UnixCreateMode.TryCreateFolders(folder, folderMode))
            {
                if (folderIsNew)
                {
                    chmod(folder, folderMode);
                }
                // A file already there is an IOException, as with FileMode.CreateNew.
                if (UnixCreateMode.TryCreateFile(path, fileMode))
                {
                    chmod(path, fileMode);
                    return;
                }
            }
            lock (Gate)
            {
                uint previous = umask(Convert.ToUInt32(groupShared ? "007" : "077", 8));
                try
                {
                    folderIsNew = !Directory.Exists(folder);
                    Directory.CreateDirectory(folder);
                    if (folderIsNew)
                    {
                        chmod(folder, folderMode);
                    }
                    using (new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite)) { }
                    chmod(path, fileMode);
                }
                finally
                {
                    umask(previous);
                }
            }
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
            string parent = Path.GetDirectoryName(folder.TrimEnd('/'));
            if (UnixCreateMode.TryCreateFolders(parent, mode))
            {
                return MakeFolder(folder, mode);
            }
            lock (Gate)
            {
                uint previous = umask(Convert.ToUInt32("077", 8));
                try
                {
                    Directory.CreateDirectory(parent);
                    return MakeFolder(folder, mode);
                }
                finally
                {
                    umask(previous);
                }
            }
        }

        private static bool MakeFolder(string folder, uint mode)
        {
            if (mkdir(folder, mode) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == AlreadyExists)
                {
                    return false;
                }
                throw new IOException($"Could not create the folder '{folder}': {new System.ComponentModel.Win32Exception(errno).Message}.");
            }
            // A default ACL on the parent, or the umask, can make a new folder differ from the mode; this folder is ours to set.
            chmod(folder, mode);
            return true;
        }

        /// <summary>Whether this user may not create files in the folder of <paramref name="path"/> (Unix; false elsewhere).</summary>
        public static bool IsFolderReadOnly(string path)
        {
            const int WriteOk = 2;
            string folder = Path.GetDirectoryName(path);
            return IsUnix && Directory.Exists(folder) && access(folder, WriteOk) != 0;
        }

        // EEXIST, the same on Linux and macOS.
        private const int AlreadyExists = 17;

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
