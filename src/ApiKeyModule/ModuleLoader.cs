using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// Loads the engine and its dependencies (YamlDotNet, Microsoft.Data.Sqlite, SQLitePCLRaw) from the module's
    /// private "dependencies" folder. On PowerShell 7 they live in a load context of their own, so another module's
    /// YamlDotNet, loaded before or after this one, neither breaks this module nor is broken by it.
    /// </summary>
    public sealed class ModuleLoader : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        internal static readonly string DependencyFolder =
            Path.Combine(Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location), "dependencies");

        private static readonly bool IsNetFramework =
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);

        // Each runspace that imports the module calls OnImport, and each that removes it OnRemove, possibly all at the
        // same moment (ForEach-Object -Parallel, thread jobs): what they set up is shared by the whole process, so it is
        // set up by the first import and taken down after the last removal, one runspace at a time.
        private static readonly object Gate = new object();
        private static int imports;

        public void OnImport()
        {
            lock (Gate)
            {
                if (imports == 0)
                {
                    if (IsNetFramework)
                    {
                        AppDomain.CurrentDomain.AssemblyResolve += ResolveOnNetFramework;
                    }
                    else
                    {
                        IsolatedLoadContext.Register(DependencyFolder);
                        TypeNames.Register(EngineAssembly());
                    }
                }
                // Counted once set up: an import that failed leaves the next one to try again.
                imports++;
            }
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                if (imports == 0 || --imports > 0)
                {
                    return;
                }
                if (IsNetFramework)
                {
                    AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnNetFramework;
                }
                else
                {
                    TypeNames.Unregister(EngineAssembly());
                    IsolatedLoadContext.Unregister();
                }
            }
        }

        // Not inlined: naming an engine type must wait until the resolver above is in place.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Assembly EngineAssembly() => typeof(ApiKey).Assembly;

        // Windows PowerShell has one load context for everything: load ours from the private folder when asked.
        private static Assembly? ResolveOnNetFramework(object? sender, ResolveEventArgs args)
        {
            string path = Path.Combine(DependencyFolder, new AssemblyName(args.Name).Name + ".dll");
            return File.Exists(path) ? Assembly.LoadFrom(path) : null;
        }
    }
}
