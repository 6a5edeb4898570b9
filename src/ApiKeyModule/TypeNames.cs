using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// PowerShell finds types by name only in the default load context, so the engine's public types
    /// ([ApiKeyModule.ApiKey], [ApiKeyModule.VerificationCode]...) are registered under their full names as type
    /// accelerators while the module is imported. PowerShell keeps them in one dictionary for the process, which is not
    /// safe for writers at the same moment: <see cref="ModuleLoader"/> registers them once, for the first import of all
    /// runspaces, and removes them after the last removal.
    /// </summary>
    internal static class TypeNames
    {
        private static readonly Type? Accelerators = typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

        public static void Register(Assembly assembly)
        {
            MethodInfo? add = Accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static);
            foreach (Type type in Exported(assembly))
            {
                add?.Invoke(null, new object[] { type.FullName, type });
            }
        }

        public static void Unregister(Assembly assembly)
        {
            MethodInfo? remove = Accelerators?.GetMethod("Remove", BindingFlags.Public | BindingFlags.Static);
            foreach (Type type in Exported(assembly))
            {
                remove?.Invoke(null, new object[] { type.FullName });
            }
        }

        private static Type[] Exported(Assembly assembly) => assembly.GetExportedTypes();
    }
}
