using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using ApiKeyModule;

/// <summary>
/// What every figure shares: its arguments, the JSON object it prints, medians and percentiles, the CPU time of a
/// thread, and the engine's create timed on either store.
/// </summary>
internal static class Harness
{
    public static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    /// <summary>The figure's result, as the one JSON line Invoke-Benchmarks.ps1 reads.</summary>
    public static void Print(Dictionary<string, object> result) => Console.WriteLine(JsonSerializer.Serialize(result));

    public static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

    /// <summary>Nearest-rank percentile.</summary>
    public static double Percentile(IEnumerable<double> values, double p)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Max(0, Math.Min(sorted.Length - 1, rank - 1))];
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    /// <summary>
    /// CPU seconds this thread has run (Linux, macOS), NaN elsewhere: with other work on the machine, the CPU a
    /// verification costs tells contention (it rises) from waiting for a core (it does not).
    /// </summary>
    public static double ThreadCpuSeconds()
    {
        const int LinuxThreadCpuTime = 3, MacThreadCpuTime = 16;
        int clock = OperatingSystem.IsLinux() ? LinuxThreadCpuTime : OperatingSystem.IsMacOS() ? MacThreadCpuTime : -1;
        return clock >= 0 && ClockGetTime(clock, out TimeSpec time) == 0 ? time.Seconds + time.Nanoseconds / 1e9 : double.NaN;
    }

    /// <summary>Seconds the engine takes to create keys k&lt;first&gt; … k&lt;first + n - 1&gt;, one transaction each, on an open store.</summary>
    public static double TimeCreates(ApiKeyStore store, int first, int n)
    {
        Stopwatch watch = Stopwatch.StartNew();
        for (int i = 0; i < n; i++)
        {
            store.Create("k" + (first + i).ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
        }
        return watch.Elapsed.TotalSeconds;
    }

    public static void Check(int expected, int valid)
    {
        if (valid != expected)
        {
            throw new InvalidOperationException($"{valid} of {expected} keys verified");
        }
    }
}
