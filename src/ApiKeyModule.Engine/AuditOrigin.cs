using System;
using System.Diagnostics;

namespace ApiKeyModule
{
    /// <summary>Who makes the changes this process records in the audit log.</summary>
    internal static class AuditOrigin
    {
        public static readonly string User = Environment.UserName;
        public static readonly string Host = Environment.MachineName;
        public static readonly int ProcessId = Process.GetCurrentProcess().Id;
    }
}
