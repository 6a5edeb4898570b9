using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;

/// <summary>P1: process start. Command lines run round-robin, timed in wall time and (Linux, macOS) in CPU time.</summary>
internal static class SpawnBench
{
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeVal
    {
        public long Seconds;
        public long Microseconds;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public TimeVal User;
        public TimeVal System;
        [MarshalAs(UnmanagedType.ByValArray, SizeConst = 14)]
        public long[] Rest;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out ResourceUsage usage);

    /// <summary>CPU seconds (user + system) of all waited-for children so far; null where getrusage is not at hand.</summary>
    private static double? ChildrenCpuSeconds()
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()))
        {
            return null;
        }
        const int RusageChildren = -1;
        if (getrusage(RusageChildren, out ResourceUsage usage) != 0)
        {
            return null;
        }
        return usage.User.Seconds + usage.User.Microseconds / 1e6 + usage.System.Seconds + usage.System.Microseconds / 1e6;
    }

    /// <summary>The file: {"name": {"file": "...", "args": ["..."], "expect": "..."}, ...}. One warm-up run each, then round-robin.</summary>
    public static void Spawn(int rounds, string file, Dictionary<string, object> result)
    {
        var variants = JsonSerializer.Deserialize<Dictionary<string, SpawnVariant>>(File.ReadAllText(file));
        var wall = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        var cpu = variants.Keys.ToDictionary(k => k, _ => new List<double>());
        for (int round = -1; round < rounds; round++)
        {
            foreach (KeyValuePair<string, SpawnVariant> variant in variants)
            {
                double? cpuBefore = ChildrenCpuSeconds();
                var info = new ProcessStartInfo(variant.Value.file)
                {
                    UseShellExecute = false,
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                };
                foreach (string argument in variant.Value.args)
                {
                    info.ArgumentList.Add(argument);
                }
                Stopwatch watch = Stopwatch.StartNew();
                using (Process process = Process.Start(info))
                {
                    var stdout = process.StandardOutput.ReadToEndAsync();
                    var stderr = process.StandardError.ReadToEndAsync();
                    process.WaitForExit();
                    double elapsed = watch.Elapsed.TotalSeconds;
                    double? cpuAfter = ChildrenCpuSeconds();
                    if (process.ExitCode != 0 || stderr.Result.Trim().Length > 0 ||
                        (variant.Value.expect != null && !stdout.Result.Contains(variant.Value.expect)))
                    {
                        throw new InvalidOperationException($"{variant.Key} failed (exit code {process.ExitCode}): {stdout.Result} {stderr.Result}");
                    }
                    if (round >= 0)
                    {
                        wall[variant.Key].Add(elapsed);
                        if (cpuBefore != null && cpuAfter != null)
                        {
                            cpu[variant.Key].Add(cpuAfter.Value - cpuBefore.Value);
                        }
                    }
                }
            }
        }
        result["rounds"] = rounds;
        result["wallMedian"] = wall.ToDictionary(p => p.Key, p => Harness.Median(p.Value));
        result["cpuMedian"] = cpu.All(p => p.Value.Count > 0) ? cpu.ToDictionary(p => p.Key, p => Harness.Median(p.Value)) : null;
        result["wall"] = wall;
        result["cpu"] = cpu;
    }

    private sealed class SpawnVariant
    {
        public string file { get; set; }
        public string[] args { get; set; }
        public string expect { get; set; }
    }
}
