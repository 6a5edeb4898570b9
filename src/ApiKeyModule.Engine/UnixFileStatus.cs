using System;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Owner, group and mode of a file on Unix. .NET has no public API for a file's owner, so this asks the runtime's own
    /// native shim (libSystem.Native, shipped with every .NET on Unix), whose status record begins with flags, mode,
    /// user id and group id on every platform.
    /// </summary>
    internal sealed class UnixFileStatus
    {
        public const int TypeMask = 0xF000;
        public const int Directory = 0x4000;
        public const int RegularFile = 0x8000;
        public const int SymbolicLink = 0xA000;

        private UnixFileStatus(FileStatus status)
        {
            Mode = status.Mode;
            Owner = status.Uid;
            Group = status.Gid;
        }

        public int Mode { get; }
        public uint Owner { get; }
        public uint Group { get; }

        public int Permissions => Mode & 0xFFF;
        public bool IsSymbolicLink => (Mode & TypeMask) == SymbolicLink;
        public bool IsDirectory => (Mode & TypeMask) == Directory;
        public bool IsRegularFile => (Mode & TypeMask) == RegularFile;

        public static uint EffectiveUser => geteuid();

        /// <summary>The status of the path itself (a link is not followed); null when nothing is there.</summary>
        public static UnixFileStatus Lstat(string path) => SystemNativeLStat(path, out FileStatus status) == 0 ? new UnixFileStatus(status) : null;

        /// <summary>The status of what the path leads to (links followed); null when nothing is there.</summary>
        public static UnixFileStatus Stat(string path) => SystemNativeStat(path, out FileStatus status) == 0 ? new UnixFileStatus(status) : null;

        // Only the leading fields are read; the record is given room for all the rest, whatever its length.
        [StructLayout(LayoutKind.Sequential, Size = 512)]
        private struct FileStatus
        {
            public int Flags;
            public int Mode;
            public uint Uid;
            public uint Gid;
        }

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int SystemNativeLStat(string path, out FileStatus status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int SystemNativeStat(string path, out FileStatus status);

        [DllImport("libc")]
        private static extern uint geteuid();
    }
}
