using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using ApiKeyModule;
using Npgsql;

/// <summary>PG4: how soon a running verifier on PostgreSQL refuses a key revoked in another process; the floor is LISTEN/NOTIFY.</summary>
internal static class PostgresPropagationBench
{
    /// <summary>The other process of <see cref="Propagation"/>: revokes each id read from stdin, then prints the time its commit returned.</summary>
    public static void Revoker(string schema)
    {
        using (ApiKeyStore store = PostgresHarness.OpenStore(schema))
        {
            Console.WriteLine("ready");
            string line;
            while ((line = Console.ReadLine()) != null)
            {
                store.Revoke(int.Parse(line, CultureInfo.InvariantCulture), "benchmark");
                Console.WriteLine(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture));
            }
        }
    }

    /// <summary>
    /// A verifier keeps verifying a key (cache hits) while a store in another process (its own connection) revokes it; each sample is the
    /// time from Revoke returning (its commit done) to the first verification that refuses the key. The floor: a raw
    /// LISTEN connection, and the time from a committed UPDATE + pg_notify on another connection to the notification's
    /// arrival.
    /// </summary>
    public static void Propagation(int samples, Dictionary<string, object> result)
    {
        string engine = PostgresHarness.NewSchema("revoke"), raw = PostgresHarness.NewSchema("rawnotify");
        var random = new Random(11);
        try
        {
            var keys = new string[samples];
            var ids = new int[samples];
            using (ApiKeyStore store = PostgresHarness.OpenStore(engine))
            {
                for (int i = 0; i < samples; i++)
                {
                    IssuedApiKey issued = store.Create("r" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
                    keys[i] = issued.Key;
                    ids[i] = issued.Id;
                }
            }
            // Revoked by another process, as on another host: a store in this process would tell this process's
            // verifiers at once (PostgresLocalChanges), without the listener. Stopwatch timestamps are the system's
            // monotonic clock, the same in both processes.
            var latencies = new List<double>();
            var verificationsUntilSeen = new List<double>();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(typeof(PostgresPropagationBench).Assembly.Location);
            start.ArgumentList.Add("pg-revoker");
            start.ArgumentList.Add(engine);
            using (Process revoker = Process.Start(start))
            using (ApiKeyVerifier verifier = PostgresHarness.OpenVerifier(engine))
            {
                try
                {
                    if (revoker.StandardOutput.ReadLine() != "ready")
                    {
                        throw new InvalidOperationException("the revoking process did not start");
                    }
                    for (int i = 0; i < samples; i++)
                    {
                        for (int j = 0; j < 200; j++)
                        {
                            if (!verifier.Verify(keys[i]).Valid)
                            {
                                throw new InvalidOperationException("a key refused before its revocation");
                            }
                        }
                        // Not in step with the listener's 250 ms poll.
                        Thread.Sleep(random.Next(0, 30));
                        long count = 0, seen;
                        long asked = Stopwatch.GetTimestamp();
                        revoker.StandardInput.WriteLine(ids[i].ToString(CultureInfo.InvariantCulture));
                        revoker.StandardInput.Flush();
                        while (true)
                        {
                            count++;
                            if (!verifier.Verify(keys[i]).Valid)
                            {
                                seen = Stopwatch.GetTimestamp();
                                break;
                            }
                            if (Stopwatch.GetTimestamp() - asked > 10 * Stopwatch.Frequency)
                            {
                                throw new InvalidOperationException("a revocation was not seen within 10 s");
                            }
                        }
                        long committed = long.Parse(revoker.StandardOutput.ReadLine(), CultureInfo.InvariantCulture);
                        latencies.Add(Math.Max(0, seen - committed) * 1000.0 / Stopwatch.Frequency);
                        verificationsUntilSeen.Add(count);
                    }
                }
                finally
                {
                    revoker.StandardInput.Close();
                    revoker.WaitForExit(10000);
                }
            }

            var floor = new List<double>();
            using (NpgsqlConnection listener = PostgresHarness.Connect())
            using (NpgsqlConnection writer = PostgresHarness.Connect())
            {
                PostgresHarness.CreateRawSchema(writer, raw);
                string s = PostgresSchema.Quote(raw);
                PostgresHarness.Execute(writer, $"INSERT INTO {s}.api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm) VALUES ('n', 'n', 0, '[]', '\\x00', 'sha256')");
                PostgresHarness.Execute(listener, "LISTEN bench_floor");
                using (var update = new NpgsqlCommand($"WITH u AS (UPDATE {s}.api_keys SET revoked = NOT revoked RETURNING id) SELECT pg_notify('bench_floor', id::text) FROM u", writer))
                {
                    update.Prepare();
                    for (int i = 0; i < samples + 10; i++)
                    {
                        Thread.Sleep(random.Next(0, 30));
                        update.ExecuteNonQuery();
                        long committed = Stopwatch.GetTimestamp();
                        if (!listener.Wait(10000))
                        {
                            throw new InvalidOperationException("a notification was not heard within 10 s");
                        }
                        if (i >= 10)
                        {
                            floor.Add((Stopwatch.GetTimestamp() - committed) * 1000.0 / Stopwatch.Frequency);
                        }
                    }
                }
            }
            result["samples"] = samples;
            result["medianMs"] = Harness.Median(latencies);
            result["p99Ms"] = Harness.Percentile(latencies, 99);
            result["worstMs"] = latencies.Max();
            result["verificationsUntilSeenMedian"] = Harness.Median(verificationsUntilSeen);
            result["floorMedianMs"] = Harness.Median(floor);
            result["floorP99Ms"] = Harness.Percentile(floor, 99);
            result["floorWorstMs"] = floor.Max();
        }
        finally
        {
            PostgresHarness.Drop(engine, raw);
        }
    }
}
