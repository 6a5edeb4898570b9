using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Loads the bundled e_sqlite3 for this OS and architecture by full path. A module has no deps.json, so the
    /// runtime's own probing would not find it; PowerShell's fallback resolver is not relied on.
    /// </summary>
    internal static class SqliteNative
    {
        private const int SqliteConfigMemStatus = 9;
        private static readonly object Gate = new object();
        // Read without the lock by every later call: volatile, so that a thread that sees it set also sees the
        // provider and the handle set before it.
        private static volatile bool initialized;
        private static IntPtr handle;

        public static void EnsureInitialized()
        {
            if (initialized)
            {
                return;
            }
            lock (Gate)
            {
                if (initialized)
                {
                    return;
                }
                string path = LibraryPath();
                if (!File.Exists(path))
                {
                    throw LoadError(path, "the file does not exist (this platform, " + RuntimeIdentifier() + ", may not be supported)", null);
                }
                try
                {
                    Load(path);
                    SQLitePCL.raw.SetProvider(new SQLitePCL.SQLite3Provider_e_sqlite3());
                    SQLitePCL.raw.sqlite3_libversion_number();
                    // No memory statistics: they take a process-wide mutex on every allocation, which a verifier's
                    // threads, each on a connection of its own, would contend for. Refused (and harmless) when SQLite
                    // was already started in this process.
                    SQLitePCL.raw.sqlite3_config(SqliteConfigMemStatus, 0);
                }
                catch (Exception e) when (!(e is ApiKeyException))
                {
                    throw LoadError(path, e.GetBaseException().Message, e);
                }
                initialized = true;
            }
        }

        public static string LibraryPath()
        {
            string root = Path.GetDirectoryName(typeof(SqliteNative).Assembly.Location);
            string file = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "e_sqlite3.dll"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "libe_sqlite3.dylib"
                : "libe_sqlite3.so";
            return Path.Combine(root, "runtimes", RuntimeIdentifier(), "native", file);
        }

        public static string RuntimeIdentifier()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win"
                : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx"
                : IsMusl() ? "linux-musl" : "linux";
            string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            return os + "-" + arch;
        }

        private static bool IsMusl()
        {
            try
            {
                return Directory.GetFiles("/lib", "ld-musl-*.so.1").Length > 0;
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static void Load(string path)
        {
            // .NET (PowerShell 7): NativeLibrary is not in netstandard2.0, so it is reached by reflection.
            Type? nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary", throwOnError: false);
            if (nativeLibrary != null)
            {
                // The handle is in place before the resolver that hands it out.
                handle = (IntPtr)nativeLibrary.GetMethod("Load", new[] { typeof(string) }).Invoke(null, new object[] { path });
                RegisterResolver(nativeLibrary);
                return;
            }
            // .NET Framework (Windows PowerShell): a DLL already loaded is found by name by the DllImport that follows.
            handle = LoadLibraryW(path);
            if (handle == IntPtr.Zero)
            {
                throw new DllNotFoundException("LoadLibrary failed with Win32 error " + Marshal.GetLastWin32Error());
            }
        }

        private static void RegisterResolver(Type nativeLibrary)
        {
            Type resolverType = Type.GetType("System.Runtime.InteropServices.DllImportResolver", throwOnError: true);
            MethodInfo resolve = typeof(SqliteNative).GetMethod(nameof(Resolve), BindingFlags.NonPublic | BindingFlags.Static);
            Delegate resolver = Delegate.CreateDelegate(resolverType, resolve);
            Assembly provider = typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly;
            try
            {
                nativeLibrary.GetMethod("SetDllImportResolver").Invoke(null, new object[] { provider, resolver });
            }
            catch (TargetInvocationException e) when (e.InnerException is InvalidOperationException)
            {
                // Another module in this session already resolves e_sqlite3 for the same provider assembly.
            }
        }

        private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
            libraryName == "e_sqlite3" ? handle : IntPtr.Zero;

        private static ApiKeyException LoadError(string path, string reason, Exception? inner) =>
            new ApiKeyException(ErrorIds.SqliteNativeLibraryLoadFailed, ApiKeyErrorCategory.ResourceUnavailable,
                $"Could not load the SQLite native library '{path}': {reason}. Reinstall the module, or check that this file is present and matches this OS and architecture.",
                path, inner);

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        private static extern IntPtr LoadLibraryW(string path);
    }
}
