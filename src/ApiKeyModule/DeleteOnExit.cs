using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace ApiKeyModule.Commands
{
    /// <summary>
    /// While it is not disposed, deletes a file when the process ends before the code that made it can: on SIGTERM
    /// and SIGHUP (PowerShell 7; reached by reflection, as netstandard2.0 does not have PosixSignalRegistration) and
    /// on ProcessExit. The signal is never cancelled: the process ends as it would have.
    /// </summary>
    /// <remarks>
    /// Not SIGINT: pwsh turns Ctrl+C into stopping the pipeline and lives on, so the file is removed by the caller's
    /// finally once the editor has closed; deleting it at once would pull it away from an editor that is still open.
    /// </remarks>
    internal sealed class DeleteOnExit : IDisposable
    {
        // System.Runtime.InteropServices.PosixSignal values.
        private const int SignalHangUp = -1;
        private const int SignalTerminate = -4;

        private readonly string path;
        private readonly List<IDisposable> registrations = new List<IDisposable>();

        public DeleteOnExit(string path)
        {
            this.path = path;
            AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
            foreach (int signal in new[] { SignalTerminate, SignalHangUp })
            {
                IDisposable? registration = Register(signal);
                if (registration != null)
                {
                    registrations.Add(registration);
                }
            }
        }

        public void Dispose()
        {
            AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
            foreach (IDisposable registration in registrations)
            {
                registration.Dispose();
            }
            registrations.Clear();
        }

        // PosixSignalRegistration.Create(signal, Action<PosixSignalContext>); null where there is none (Windows
        // PowerShell) or the platform does not have the signal.
        private IDisposable? Register(int signal)
        {
            MethodInfo? create = RegistrationType()?.GetMethod("Create", BindingFlags.Public | BindingFlags.Static);
            ParameterInfo[]? parameters = create?.GetParameters();
            if (create == null || parameters == null || parameters.Length != 2)
            {
                return null;
            }
            MethodInfo onSignal = typeof(DeleteOnExit).GetMethod(nameof(OnSignal), BindingFlags.NonPublic | BindingFlags.Instance);
            Delegate handler = Delegate.CreateDelegate(parameters[1].ParameterType, this, onSignal);
            try
            {
                return (IDisposable)create.Invoke(null, new[] { Enum.ToObject(parameters[0].ParameterType, signal), handler });
            }
            catch (TargetInvocationException e) when (e.InnerException is PlatformNotSupportedException)
            {
                return null;
            }
        }

        private static Type? RegistrationType()
        {
            try
            {
                return Type.GetType("System.Runtime.InteropServices.PosixSignalRegistration, System.Runtime.InteropServices", throwOnError: false);
            }
            catch (Exception e) when (e is FileLoadException || e is BadImageFormatException)
            {
                return null;
            }
        }

        // The PosixSignalContext is left as it is (Cancel stays false).
        private void OnSignal(object context) => Delete();

        private void OnProcessExit(object? sender, EventArgs e) => Delete();

        private void Delete()
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                // The process is ending; there is no one left to tell. A later Edit-ApiKey removes what remains.
            }
        }
    }
}
