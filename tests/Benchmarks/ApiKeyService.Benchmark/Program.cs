using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using ApiKeyModule;
using ApiKeyService;
using Microsoft.AspNetCore.Builder;
using Npgsql;

// Requests per second through the sample service (tests/ApiKeyService): GET /ping, a trivial endpoint, with API key
// authentication (a key sent as "Authorization: Bearer", verified on every request) and without it (the same service,
// the same request and header, no authentication), both in this process on local ports, loaded in turn by wrk in
// interleaved rounds. Also the service's CPU time per request (this process's, while wrk runs: wrk is another process),
// which other work on the machine disturbs much less than the rate. Prints one JSON object on its last line. Not a test.
//
//   ApiKeyService.Benchmark <sqlite|postgres> <seconds per run> <rounds> <connections>
//   (postgres: on the server APIKEYMODULE_BENCH_POSTGRES names, in a schema of its own, dropped after)
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        if (args.Length != 4 || (args[0] != "sqlite" && args[0] != "postgres"))
        {
            Console.Error.WriteLine("usage: ApiKeyService.Benchmark <sqlite|postgres> <seconds per run> <rounds> <connections>");
            return 2;
        }
        bool postgres = args[0] == "postgres";
        int seconds = int.Parse(args[1], CultureInfo.InvariantCulture);
        int rounds = int.Parse(args[2], CultureInfo.InvariantCulture);
        int connections = int.Parse(args[3], CultureInfo.InvariantCulture);

        string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-httpbench-" + Guid.NewGuid().ToString("N").Substring(0, 8));
        string server = Environment.GetEnvironmentVariable("APIKEYMODULE_BENCH_POSTGRES");
        string schema = "bench_http_" + Guid.NewGuid().ToString("N").Substring(0, 8);
        if (postgres && string.IsNullOrWhiteSpace(server))
        {
            Console.Error.WriteLine("APIKEYMODULE_BENCH_POSTGRES names no PostgreSQL server.");
            return 2;
        }
        string location = postgres ? server + ";Schema=" + schema : Path.Combine(folder, "store", "apikeys.db");
        try
        {
            string key;
            using (ApiKeyStore store = ApiKeyStore.Open(location))
            {
                // A few entries, the one allowing the call last: each request is matched against all of them.
                key = store.Create("http-bench", new[]
                {
                    AllowlistEntry.Create("GET", "/pool/*"),
                    AllowlistEntry.Create("POST", "/pool/dataset"),
                    AllowlistEntry.Create("GET", "/ping"),
                }).Key;
            }
            var result = new Dictionary<string, object> { ["store"] = args[0], ["wrk"] = WrkVersion() };
            using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(location))
            {
                WebApplication authenticated = await ServiceApp.StartLocalAsync(verifier);
                WebApplication plain = await ServiceApp.StartLocalAsync(null);
                try
                {
                    string authUrl = authenticated.Urls.Single() + "/ping";
                    string plainUrl = plain.Urls.Single() + "/ping";
                    // Warm up both (JIT, connections, the key in the verifier's cache).
                    Wrk(authUrl, key, 2, connections);
                    Wrk(plainUrl, key, 2, connections);
                    var auth = new List<Run>();
                    var bare = new List<Run>();
                    for (int round = 0; round < rounds; round++)
                    {
                        // Alternate which goes first, so that a drift in the machine's load falls on both.
                        if (round % 2 == 0)
                        {
                            auth.Add(Wrk(authUrl, key, seconds, connections));
                            bare.Add(Wrk(plainUrl, key, seconds, connections));
                        }
                        else
                        {
                            bare.Add(Wrk(plainUrl, key, seconds, connections));
                            auth.Add(Wrk(authUrl, key, seconds, connections));
                        }
                        Console.Error.WriteLine($"round {round + 1}: with authentication {auth[^1].PerSecond:N0}/s, without {bare[^1].PerSecond:N0}/s");
                    }
                    result["authPerSecond"] = auth.Select(r => r.PerSecond).ToArray();
                    result["plainPerSecond"] = bare.Select(r => r.PerSecond).ToArray();
                    result["authCpuMicrosecondsPerRequest"] = auth.Select(r => r.CpuMicrosecondsPerRequest).ToArray();
                    result["plainCpuMicrosecondsPerRequest"] = bare.Select(r => r.CpuMicrosecondsPerRequest).ToArray();
                    result["authLatencyMs"] = auth.Select(r => r.LatencyMs).ToArray();
                    result["plainLatencyMs"] = bare.Select(r => r.LatencyMs).ToArray();
                    result["authMedianPerSecond"] = Median(auth.Select(r => r.PerSecond));
                    result["plainMedianPerSecond"] = Median(bare.Select(r => r.PerSecond));
                    // Each round's pair ran back to back: its ratio is less disturbed by drift than the ratio of medians.
                    result["pairRatioMedian"] = Median(auth.Zip(bare, (a, b) => a.PerSecond / b.PerSecond));
                    result["authCpuMedian"] = Median(auth.Select(r => r.CpuMicrosecondsPerRequest));
                    result["plainCpuMedian"] = Median(bare.Select(r => r.CpuMicrosecondsPerRequest));
                    // Where the difference goes: the verification alone, as the middleware calls it, on one thread and
                    // on two at once (Kestrel serves requests on both cores).
                    foreach (int threads in new[] { 1, 2 })
                    {
                        (double perSecond, double cpu) = VerifyAlone(verifier, key, threads, Math.Min(seconds, 3));
                        result[$"verifyAlone{threads}PerSecond"] = perSecond;
                        result[$"verifyAlone{threads}CpuMicroseconds"] = cpu;
                    }
                }
                finally
                {
                    await authenticated.StopAsync();
                    await plain.StopAsync();
                    await authenticated.DisposeAsync();
                    await plain.DisposeAsync();
                }
            }
            Console.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        finally
        {
            if (postgres)
            {
                NpgsqlConnection.ClearAllPools();
                using var connection = new NpgsqlConnection(server);
                connection.Open();
                using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE", connection);
                drop.ExecuteNonQuery();
            }
            try { Directory.Delete(folder, true); } catch (IOException) { }
        }
    }

    /// <summary>Verifications per second of the benchmark's key and call by <paramref name="threads"/> threads at once, and the CPU time of each.</summary>
    private static (double PerSecond, double CpuMicroseconds) VerifyAlone(ApiKeyVerifier verifier, string key, int threads, int seconds)
    {
        long total = 0;
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            long count = 0;
            var mine = Stopwatch.StartNew();
            while (mine.Elapsed.TotalSeconds < seconds)
            {
                for (int i = 0; i < 1000; i++)
                {
                    if (!verifier.Verify(key, "GET", "/ping").Valid)
                    {
                        throw new InvalidOperationException("The benchmark's key did not verify.");
                    }
                }
                count += 1000;
            }
            System.Threading.Interlocked.Add(ref total, count);
        });
        double elapsed = watch.Elapsed.TotalSeconds;
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        return (total / elapsed, cpu.TotalMilliseconds * 1000 / total);
    }

    private sealed record Run(double PerSecond, double CpuMicrosecondsPerRequest, double LatencyMs);

    /// <summary>One wrk run against <paramref name="url"/>, every request with the key's header (the plain service ignores it).</summary>
    private static Run Wrk(string url, string key, int seconds, int connections)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // One wrk thread: the machine's other core is the service's.
        foreach (string argument in new[] { "-t1", "-c" + connections, "-d" + seconds + "s", "--latency", "-H", "Authorization: Bearer " + key, url })
        {
            start.ArgumentList.Add(argument);
        }
        TimeSpan cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        string output;
        using (Process wrk = Process.Start(start))
        {
            Task<string> error = wrk.StandardError.ReadToEndAsync();
            output = wrk.StandardOutput.ReadToEnd();
            wrk.WaitForExit();
            if (wrk.ExitCode != 0)
            {
                throw new InvalidOperationException($"wrk failed (exit code {wrk.ExitCode}): {error.Result}");
            }
        }
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        // Every request must have succeeded, or the rate measures refusals.
        Match failed = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)");
        Match errors = Regex.Match(output, @"Socket errors: (.+)");
        if (failed.Success || errors.Success)
        {
            throw new InvalidOperationException("Not every request succeeded: " + output);
        }
        long requests = long.Parse(Regex.Match(output, @"(\d+) requests in").Groups[1].Value, CultureInfo.InvariantCulture);
        double perSecond = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        double latency = Milliseconds(Regex.Match(output, @"50%\s+([\d.]+)(us|ms|s)"));
        return new Run(perSecond, cpu.TotalMilliseconds * 1000 / requests, latency);
    }

    private static double Milliseconds(Match match)
    {
        double value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value switch { "us" => value / 1000, "ms" => value, _ => value * 1000 };
    }

    private static string WrkVersion()
    {
        var start = new ProcessStartInfo("wrk", "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using Process wrk = Process.Start(start);
        string text = wrk.StandardOutput.ReadToEnd() + wrk.StandardError.ReadToEnd();
        wrk.WaitForExit();
        return text.Split('\n')[0].Split(" Copyright")[0].Trim();
    }

    private static double Median(IEnumerable<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
