using System;
using System.ComponentModel;
using System.IO;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// The type, permissions and owner of a path on Unix, as lstat(2) (or stat(2)) gives them. .NET has no public API for
    /// a file's owner, so this calls the runtime's own native shim.
    /// </summary>
    internal sealed class UnixFileStatus
    {
        // errno values, the same on Linux and macOS.
        private const int NoSuchFileOrDirectory = 2;
        private const int NotADirectory = 20;

        // The shim's file type bits (the usual S_IF* values).
        private const uint TypeMask = 0xF000;
        private const uint DirectoryType = 0x4000;
        private const uint RegularFileType = 0x8000;
        private const uint SymbolicLinkType = 0xA000;

        private UnixFileStatus(uint mode, uint userId, uint groupId)
        {
            Mode = mode;
            UserId = userId;
            GroupId = groupId;
        }

        /// <summary>st_mode: the type bits and the permission bits.</summary>
        public uint Mode { get; }

        /// <summary>The permission bits (with set-user-id, set-group-id and sticky), as chmod takes them: 0700 and the like.</summary>
        public uint Permissions => Mode & 0xFFF;

        public uint UserId { get; }
        public uint GroupId { get; }

        public bool IsDirectory => (Mode & TypeMask) == DirectoryType;
        public bool IsRegularFile => (Mode & TypeMask) == RegularFileType;
        public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLinkType;

        /// <summary>Whether the group or others have any permission at all (read, write or execute).</summary>
        public bool IsOpenToGroupOrOthers => (Mode & 0x3F) != 0;

        public bool IsOwnedByCurrentUser => UserId == EffectiveUserId;

        /// <summary>The user this process acts as (geteuid), whose files it owns.</summary>
        public static uint EffectiveUserId => geteuid();

        /// <summary>The status of <paramref name="path"/>, or null when nothing is there; Unix only.</summary>
        /// <exception cref="IOException">The status could not be read (no permission to search a folder on the way, ...).</exception>
        public static UnixFileStatus? Lstat(string path) => Read(path, followLinks: false);

        /// <summary>Like <see cref="Lstat"/>, but of what a symbolic link leads to.</summary>
        public static UnixFileStatus? Stat(string path) => Read(path, followLinks: true);

        private static UnixFileStatus? Read(string path, bool followLinks)
        {
            if (!UnixPermissions.IsUnix)
            {
                throw new PlatformNotSupportedException("File owners and modes are read on Unix only.");
            }
            FileStatus status;
            if ((followLinks ? Stat(path, out status) : LStat(path, out status)) != 0)
            {
                int errno = Marshal.GetLastWin32Error();
                if (errno == NoSuchFileOrDirectory || errno == NotADirectory)
                {
                    return null;
                }
                throw new IOException($"Could not read the status of '{path}': {new Win32Exception(errno).Message}.");
            }
            return new UnixFileStatus(unchecked((uint)status.Mode), status.Uid, status.Gid);
        }

        /// <summary>
        /// The start of the runtime's FileStatus (pal_io.h). The shim writes the whole struct (sizes, times, device,
        /// inode, ...), which is smaller than this buffer; only these four fields are read.
        /// </summary>
        [StructLayout(LayoutKind.Sequential, Size = 256)]
        private struct FileStatus
        {
            public int Flags;
            public int Mode;
            public uint Uid;
            public uint Gid;
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int LStat(string path, out FileStatus output);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int Stat(string path, out FileStatus output);

        [DllImport("libc")]
        private static extern uint geteuid();
    }
}
