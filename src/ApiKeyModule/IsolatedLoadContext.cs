using System;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// PowerShell 7 only (kept apart so Windows PowerShell never loads AssemblyLoadContext): the engine is resolved
    /// into this context, and everything it references that the folder holds is loaded here too.
    /// </summary>
    internal sealed class IsolatedLoadContext : AssemblyLoadContext
    {
        private const string EngineName = "ApiKeyModule.Engine";
        // One for the process, made once and kept: the engine it loaded stays loaded after the module is removed, and
        // a second context would load a second engine, with a second SQLite provider and connection pool.
        private static volatile IsolatedLoadContext? instance;
        private readonly string folder;

        private IsolatedLoadContext(string folder)
        {
            this.folder = folder;
        }

        /// <summary>Called by <see cref="ModuleLoader"/> under its lock, once per first import.</summary>
        public static void Register(string folder)
        {
            instance = instance ?? new IsolatedLoadContext(folder);
            Default.Resolving += ResolveEngine;
        }

        public static void Unregister() => Default.Resolving -= ResolveEngine;

        // The default context asks for the engine (the cmdlets reference it) because it is not next to the module.
        // Loaded by path: by name, a missing file would fall back to the default context and ask here again.
        private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
        {
            // Set by Register before it adds this handler.
            IsolatedLoadContext? own = instance;
            if (own == null)
            {
                return null;
            }
            string path = Path.Combine(own.folder, EngineName + ".dll");
            return name.Name == EngineName && File.Exists(path) ? own.LoadFromAssemblyPath(path) : null;
        }

        protected override Assembly? Load(AssemblyName name)
        {
            string path = Path.Combine(folder, name.Name + ".dll");
            // What the runtime itself provides (System.Memory and the like) comes from the default context.
            if (name.Name.StartsWith("System.", StringComparison.Ordinal) || !File.Exists(path))
            {
                return null;
            }
            return LoadFromAssemblyPath(path);
        }
    }
}
