using System;
using System.IO;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Threading;

namespace ApiKeyModule
{
    /// <summary>
    /// Whether a SQLite store in WAL mode has changed, read from the header of its wal-index (the -shm file every
    /// connection maps), without a read transaction: a verifier's cache hits then take no SQLite lock, and its threads
    /// do not take turns on the lock SQLite shares among a process's connections to one file. The header is described
    /// in SQLite's file format document ("The WAL-Index Format"): every commit rewrites it with a new iChange and
    /// mxFrame (two copies, so that a reader can tell a header being written). Two equal headers describe the same
    /// snapshot of the store. A header of another version, or a file that cannot be mapped, is not used: the store falls
    /// back to PRAGMA data_version.
    /// </summary>
    internal sealed class SqliteWalIndex : IDisposable
    {
        private const int WalIndexVersion = 3007000;
        // Two copies of the 48-byte header; the last 8 bytes of each are its checksum, which the fields before decide.
        private const int HeaderBytes = 48;
        private const int ComparedWords = 10;
        private readonly MemoryMappedFile file;
        private readonly MemoryMappedViewAccessor view;
        private readonly IntPtr header;
        private long transient;
        private int disposed;

        private SqliteWalIndex(MemoryMappedFile file, MemoryMappedViewAccessor view)
        {
            this.file = file;
            this.view = view;
            bool added = false;
            view.SafeMemoryMappedViewHandle.DangerousAddRef(ref added);
            header = view.SafeMemoryMappedViewHandle.DangerousGetHandle() + (int)view.PointerOffset;
        }

        /// <summary>The wal-index of the store file, or null when it cannot be read as this class expects.</summary>
        public static SqliteWalIndex? TryOpen(string storePath)
        {
            try
            {
                var stream = new FileStream(storePath + "-shm", FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                if (stream.Length < 2 * HeaderBytes)
                {
                    stream.Dispose();
                    return null;
                }
                MemoryMappedFile file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
                var index = new SqliteWalIndex(file, file.CreateViewAccessor(0, 2 * HeaderBytes, MemoryMappedFileAccess.Read));
                if (!index.TryVersion(out _))
                {
                    index.Dispose();
                    return null;
                }
                return index;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException || e is ArgumentException)
            {
                return null;
            }
        }

        /// <summary>
        /// A number that differs whenever the header does (a 64-bit mix of its fields); false while a writer is rewriting
        /// it (the two copies differ) or it is not of the known version.
        /// </summary>
        public bool TryVersion(out long version)
        {
            version = 0;
            // Not before whatever this thread saw happen (a commit that returned in another thread or process).
            Interlocked.MemoryBarrier();
            if (Marshal.ReadInt32(header, 0) != WalIndexVersion || Marshal.ReadByte(header, 12) != 1)
            {
                return false;
            }
            ulong mixed = 14695981039346656037UL;
            for (int word = 0; word < ComparedWords; word++)
            {
                int first = Marshal.ReadInt32(header, 4 * word);
                if (first != Marshal.ReadInt32(header, HeaderBytes + 4 * word))
                {
                    return false;
                }
                mixed = (mixed ^ (uint)first) * 1099511628211UL;
            }
            Interlocked.MemoryBarrier();
            version = (long)(mixed & long.MaxValue);
            return true;
        }

        /// <summary>A version seen only once (the sign bit set, which <see cref="TryVersion"/> never sets): the cache cannot be trusted this time.</summary>
        public long Transient() => long.MinValue | Interlocked.Increment(ref transient);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) != 0)
            {
                return;
            }
            view.SafeMemoryMappedViewHandle.DangerousRelease();
            view.Dispose();
            file.Dispose();
        }
    }
}
