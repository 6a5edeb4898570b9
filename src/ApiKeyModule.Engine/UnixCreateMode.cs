using System;
using System.IO;
using System.Reflection;
using System.Runtime.ExceptionServices;

namespace ApiKeyModule
{
    /// <summary>
    /// Creates files with their mode given at creation (.NET 7 and later, reached by reflection from netstandard2.0):
    /// the umask can only narrow it, and the process's umask, which every thread of the process shares (other runspaces
    /// creating their own files), is left alone. On older runtimes it reports that it cannot.
    /// </summary>
    internal static class UnixCreateMode
    {
        private static readonly Type? ModeType = typeof(FileStream).Assembly.GetType("System.IO.UnixFileMode", throwOnError: false);
        private static readonly Type? OptionsType = typeof(FileStream).Assembly.GetType("System.IO.FileStreamOptions", throwOnError: false);
        private static readonly ConstructorInfo? StreamWithOptions =
            OptionsType == null ? null : typeof(FileStream).GetConstructor(new[] { typeof(string), OptionsType });
        private static readonly PropertyInfo? CreateModeOption = OptionsType?.GetProperty("UnixCreateMode");

        /// <summary>Creates a new empty file (IOException when one is there); false when this runtime cannot give the mode.</summary>
        public static bool TryCreateFile(string path, uint mode)
        {
            if (OptionsType == null || ModeType == null || StreamWithOptions == null || CreateModeOption == null)
            {
                return false;
            }
            object options = Activator.CreateInstance(OptionsType);
            OptionsType.GetProperty("Mode").SetValue(options, FileMode.CreateNew);
            OptionsType.GetProperty("Access").SetValue(options, FileAccess.ReadWrite);
            CreateModeOption.SetValue(options, Enum.ToObject(ModeType, mode));
            using ((FileStream)Invoke(() => StreamWithOptions.Invoke(new[] { path, options })))
            {
            }
            return true;
        }

        /// <summary>The call's own exception, not the reflection wrapper around it.</summary>
        private static object Invoke(Func<object> call)
        {
            try
            {
                return call();
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        }
    }
}
