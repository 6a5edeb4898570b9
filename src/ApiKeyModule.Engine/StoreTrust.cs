using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Before a store is opened or created, what is found on disk is checked (Unix): its folder, the database and its
    /// -wal and -shm files must belong to this user (or root) and be writable by no one else, and a symbolic link must
    /// be this user's (or root's) and lead to such a file. Anyone who could write any of them could change keys, and
    /// anyone who could write the folder could swap them between this check and the open. A store meant to be shared by
    /// a group is allowed only when that group is named in <see cref="SharedGroupVariable"/>: then its members' files and
    /// group write are accepted, and write by others never is.
    /// </summary>
    internal static class StoreTrust
    {
        public const string SharedGroupVariable = "APIKEYMODULE_SHARED_GROUP";
        private const int GroupWrite = 0x10;
        private const int OtherWrite = 0x02;
        private static readonly object GroupLookup = new object();

        public static bool IsShared => SharedGroup() != null;

        public static void Check(string path)
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return;
            }
            uint? group = SharedGroup();
            try
            {
                CheckEntry(path, Path.GetDirectoryName(path), "folder", group, expectFolder: true);
                foreach (string file in new[] { path, path + "-wal", path + "-shm" })
                {
                    CheckEntry(path, file, file == path ? "file" : Path.GetFileName(file) + " file", group, expectFolder: false);
                }
            }
            catch (IOException e)
            {
                throw StoreErrors.Unavailable(path, e.Message, e);
            }
        }

        private static void CheckEntry(string store, string path, string what, uint? group, bool expectFolder)
        {
            UnixFileStatus? entry = UnixFileStatus.Lstat(path);
            if (entry == null)
            {
                return;
            }
            if (entry.IsSymbolicLink)
            {
                if (!IsTrustedOwner(entry.UserId, entry.GroupId, group))
                {
                    throw NotPrivate(store, path, what, $"it is a symbolic link made by another user (uid {entry.UserId})",
                        "Remove the link and give the path of the store itself");
                }
                entry = UnixFileStatus.Stat(path);
                if (entry == null)
                {
                    throw NotPrivate(store, path, what, "it is a symbolic link that leads nowhere", "Remove the link");
                }
            }
            if (expectFolder ? !entry.IsDirectory : !entry.IsRegularFile)
            {
                // A folder in the way of the file, or a file in the way of the folder, is reported where it is opened.
                return;
            }
            if (!IsTrustedOwner(entry.UserId, entry.GroupId, group))
            {
                throw NotPrivate(store, path, what, $"it belongs to another user (uid {entry.UserId})",
                    $"Use a {(expectFolder ? "folder" : "store")} of your own, or have its owner give it to you (chown)");
            }
            int mode = (int)entry.Permissions;
            bool groupMayWrite = group != null && entry.GroupId == group.Value;
            if ((mode & OtherWrite) != 0 || (mode & GroupWrite) != 0 && !groupMayWrite)
            {
                string who = (mode & OtherWrite) != 0 ? "other users" : $"its group (gid {entry.GroupId})";
                string fix = expectFolder
                    ? $"Keep the store in a folder that only you can write (for example: mkdir -m 700 '{Path.Combine(path, "apikeys")}')"
                    : $"Take the write permission away (chmod {((mode & OtherWrite) != 0 ? "o-w" : "g-w")} '{path}')";
                if ((mode & OtherWrite) == 0)
                {
                    fix += $"; if the group is meant to share the store, name it in ${SharedGroupVariable}";
                }
                throw NotPrivate(store, path, what, $"{who} can write it (mode {Convert.ToString(mode, 8).PadLeft(4, '0')})", fix);
            }
        }

        private static bool IsTrustedOwner(uint owner, uint ownerGroup, uint? sharedGroup) =>
            owner == UnixFileStatus.EffectiveUserId || owner == 0 || sharedGroup != null && ownerGroup == sharedGroup.Value;

        /// <summary>The group named by <see cref="SharedGroupVariable"/> (a name or a number), or null.</summary>
        private static uint? SharedGroup()
        {
            string? value = Environment.GetEnvironmentVariable(SharedGroupVariable);
            if (string.IsNullOrWhiteSpace(value))
            {
                return null;
            }
            if (uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
            {
                return gid;
            }
            uint? found = null;
            // getgrnam answers in one buffer for the whole process: one runspace at a time reads it.
            lock (GroupLookup)
            {
                IntPtr entry = getgrnam(value);
                if (entry != IntPtr.Zero)
                {
                    // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; ... }
                    found = (uint)Marshal.ReadInt32(entry, 2 * IntPtr.Size);
                }
            }
            return found ?? throw new ApiKeyException(ErrorIds.StoreNotPrivate, ApiKeyErrorCategory.SecurityError,
                $"${SharedGroupVariable} names the group '{value}', which does not exist. Give the name or number of an existing group, or clear the variable.", value);
        }

        private static ApiKeyException NotPrivate(string store, string path, string what, string why, string fix) =>
            new ApiKeyException(ErrorIds.StoreNotPrivate, ApiKeyErrorCategory.SecurityError,
                $"The store '{store}' was not opened: its {what} '{path}' is not private: {why}. Nothing was read or changed.", store)
            {
                Remedy = fix + ", or use another store.",
            };

        [DllImport("libc", CharSet = CharSet.Ansi)]
        private static extern IntPtr getgrnam(string name);
    }
}
