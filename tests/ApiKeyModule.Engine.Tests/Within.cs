using System;
using System.Diagnostics;
using System.Threading;
using Xunit.Sdk;

namespace ApiKeyModule.Tests
{
    /// <summary>For what must happen within a bound: checks until it holds, and fails with the last failure once the bound has passed.</summary>
    internal static class Within
    {
        public static TimeSpan OneSecond(Action check) => Bound(TimeSpan.FromSeconds(1), check);

        /// <summary>How long it took.</summary>
        public static TimeSpan Bound(TimeSpan bound, Action check)
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                try
                {
                    check();
                    return watch.Elapsed;
                }
                catch (XunitException) when (watch.Elapsed < bound)
                {
                    Thread.Sleep(1);
                }
            }
        }
    }
}
