using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using ApiKeyModule;
using Microsoft.Data.Sqlite;
using SQLitePCL;

/// <summary>
/// V1-V4, and through PostgresVerifierBench PGV1-PGV4: the verifier's figures under concurrency and attack, on either
/// store. Cache misses on one thread and on two; a key's first verification in a minute against a bare prepared SELECT
/// by id; genuine verifications with and without a flood of a million invalid keys on another thread, and what the
/// flood adds to the store. Rounds interleave the figure and its floor, so that the machine's other work falls on both
/// alike.
/// </summary>
internal static class VerifierBench
{
    private const string Call = "CALL";
    private const string Resource = "system.info";

    /// <summary>SQLite: keys of a populated store (see KnownKeys.Populate), from <paramref name="offset"/> of its sample order.</summary>
    public static void Sqlite(string path, int offset, int n, int rounds, int flood, Dictionary<string, object> result)
    {
        int[] ids = KnownKeys.Sample(path, offset, n * (rounds + 1) + 110);
        string[] warm = ids.Take(n).Select(KnownKeys.Key).ToArray();
        Func<ApiKeyVerifier> open = () => ApiKeyVerifier.Open(path);
        // The floor: the engine's own SELECT by id, prepared once through SQLite's API on a new read-only connection
        // with the page cache of a verifier's read connection (16 MB).
        Func<int[], (double Seconds, double Cpu)> floor = sample =>
        {
            SqliteConnection.ClearAllPools();
            raw.sqlite3_open_v2(path, out sqlite3 db, raw.SQLITE_OPEN_READONLY, null);
            using (db)
            {
                raw.sqlite3_exec(db, "PRAGMA cache_size = -16384");
                raw.sqlite3_prepare_v2(db, "SELECT name, key_hash, revoked, expires_at, last_used_at, allowlist FROM api_keys WHERE id = ?1 AND hash_algorithm = 'sha256'", out sqlite3_stmt select);
                using (select)
                {
                    long sink = 0;
                    double cpu = Harness.ThreadCpuSeconds();
                    var watch = Stopwatch.StartNew();
                    foreach (int id in sample)
                    {
                        raw.sqlite3_bind_int64(select, 1, id);
                        if (raw.sqlite3_step(select) == raw.SQLITE_ROW)
                        {
                            sink += raw.sqlite3_column_text(select, 0).utf8_to_string().Length + raw.sqlite3_column_blob(select, 1).ToArray().Length +
                                    raw.sqlite3_column_int64(select, 2) + raw.sqlite3_column_int64(select, 4) + raw.sqlite3_column_text(select, 5).utf8_to_string().Length;
                        }
                        raw.sqlite3_reset(select);
                    }
                    double seconds = watch.Elapsed.TotalSeconds;
                    cpu = Harness.ThreadCpuSeconds() - cpu;
                    if (sink == 0)
                    {
                        throw new InvalidOperationException("the floor read no rows");
                    }
                    return (seconds, cpu);
                }
            }
        };
        Run(open, warm, r => ids.Skip(n * (r + 1)).Take(n).ToArray(), floor, rounds, result);

        string[] genuine = ids.Skip(n * (rounds + 1)).Take(10).Select(KnownKeys.Key).ToArray();
        int[] others = ids.Skip(n * (rounds + 1) + 10).Take(100).ToArray();
        int unknown = SqliteHarness.MaxId(path) + 1_000_000;
        Func<(long Bytes, long Rows)> size = () =>
        {
            SqliteConnection.ClearAllPools();
            using (SqliteConnection connection = SqliteHarness.Raw(path))
            {
                // The WAL into the file, so that the file's size is the store's.
                SqliteHarness.Scalar(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
                long rows = Convert.ToInt64(SqliteHarness.Scalar(connection, "SELECT count(*) FROM audit_log"), CultureInfo.InvariantCulture);
                return (new System.IO.FileInfo(path).Length, rows);
            }
        };
        Flood(open, genuine, others, unknown, flood, size, result);
    }

    /// <summary>
    /// The figures, given how to open a verifier, keys used in the last minute (for cache misses without a write), the
    /// never-used keys of each round (first uses) and the floor's lookups per second over ids.
    /// </summary>
    public static void Run(Func<ApiKeyVerifier> open, string[] warm, Func<int, int[]> firstUse, Func<int[], (double Seconds, double Cpu)> floor, int rounds, Dictionary<string, object> result)
    {
        // Warm-up (JIT), and every key of the miss runs used now, so that its later verifications write nothing.
        using (ApiKeyVerifier verifier = open())
        {
            Harness.Check(warm.Length, warm.Count(key => verifier.Verify(key).Valid));
            Harness.Check(warm.Length, warm.Count(key => verifier.Verify(key).Valid));
        }
        var one = new List<double>();
        var two = new List<double>();
        var oneCpu = new List<double>();
        var twoCpu = new List<double>();
        var machine = new List<double>();
        var first = new List<double>();
        var firstWithWrite = new List<double>();
        var floors = new List<double>();
        var firstCpu = new List<double>();
        var floorCpu = new List<double>();
        for (int round = 0; round < rounds; round++)
        {
            machine.Add(ComputeScaling());
            using (ApiKeyVerifier verifier = open())
            {
                (double perSecond, double cpuEach) = Threads(verifier, warm, 1);
                one.Add(perSecond);
                oneCpu.Add(cpuEach);
            }
            using (ApiKeyVerifier verifier = open())
            {
                (double perSecond, double cpuEach) = Threads(verifier, warm, 2);
                two.Add(perSecond);
                twoCpu.Add(cpuEach);
            }
            int[] ids = firstUse(round);
            string[] keys = ids.Select(KnownKeys.Key).ToArray();
            (double floorSeconds, double floorCpuSeconds) = floor(ids);
            floors.Add(ids.Length / floorSeconds);
            floorCpu.Add(floorCpuSeconds / ids.Length);
            ApiKeyVerifier cold = open();
            double cpu = Harness.ThreadCpuSeconds();
            var watch = Stopwatch.StartNew();
            Harness.Check(keys.Length, keys.Count(key => cold.Verify(key).Valid));
            double verifySeconds = watch.Elapsed.TotalSeconds;
            firstCpu.Add((Harness.ThreadCpuSeconds() - cpu) / keys.Length);
            // Disposing writes the last uses the verifier recorded (its background thread would, within 15 s).
            cold.Dispose();
            first.Add(keys.Length / verifySeconds);
            firstWithWrite.Add(keys.Length / watch.Elapsed.TotalSeconds);
        }
        result["missKeys"] = warm.Length;
        result["firstUseKeys"] = firstUse(0).Length;
        result["rounds"] = rounds;
        result["missOneThreadPerSecond"] = Harness.Median(one);
        result["missTwoThreadsPerSecond"] = Harness.Median(two);
        result["missTwoOverOneEachRound"] = one.Select((o, i) => two[i] / o).ToArray();
        result["machineTwoOverOne"] = Harness.Median(machine);
        result["machineTwoOverOneEachRound"] = machine;
        result["missCpuSecondsEachOneThread"] = Harness.Median(oneCpu);
        result["missCpuSecondsEachTwoThreads"] = Harness.Median(twoCpu);
        result["missOneThreadRuns"] = one;
        result["missTwoThreadsRuns"] = two;
        result["firstUsePerSecond"] = Harness.Median(first);
        result["firstUseWithWritePerSecond"] = Harness.Median(firstWithWrite);
        result["floorSelectPerSecond"] = Harness.Median(floors);
        result["firstUseCpuSecondsEach"] = Harness.Median(firstCpu);
        result["floorCpuSecondsEach"] = Harness.Median(floorCpu);
        result["firstUseRuns"] = first;
        result["firstUseWithWriteRuns"] = firstWithWrite;
        result["floorRuns"] = floors;
    }

    /// <summary>
    /// Genuine verifications alone (before and after), and while another thread sends <paramref name="flood"/> invalid
    /// keys: malformed text, an id no key has, and a wrong secret for a real id, in turn. Each kind alone is timed too.
    /// </summary>
    public static void Flood(Func<ApiKeyVerifier> open, string[] genuine, int[] others, int unknownId, int flood, Func<(long Bytes, long Rows)> size, Dictionary<string, object> result)
    {
        string wrong = new string('W', 64);
        Func<int, string> invalid = i =>
        {
            switch (i % 3)
            {
                case 0: return "garbage-" + i.ToString(CultureInfo.InvariantCulture);
                case 1: return (unknownId + i).ToString(CultureInfo.InvariantCulture) + "-" + wrong;
                default: return others[i % others.Length].ToString(CultureInfo.InvariantCulture) + "-" + wrong;
            }
        };
        (long Bytes, long Rows) before = size();
        double alone1, during, alone2, floodSeconds, cpuAlone1, cpuDuring, cpuAlone2, floodCpu = double.NaN;
        long duringCount;
        var kinds = new double[3];
        using (ApiKeyVerifier verifier = open())
        {
            Genuine(verifier, genuine, TimeSpan.FromSeconds(1), null, out _);
            alone1 = Genuine(verifier, genuine, TimeSpan.FromSeconds(2), null, out _, out cpuAlone1);
            var flooder = new Thread(() =>
            {
                double cpu = Harness.ThreadCpuSeconds();
                for (int i = 0; i < flood; i++)
                {
                    if (verifier.Verify(invalid(i)).Valid)
                    {
                        throw new InvalidOperationException("an invalid key verified");
                    }
                }
                floodCpu = Harness.ThreadCpuSeconds() - cpu;
            });
            var watch = Stopwatch.StartNew();
            flooder.Start();
            during = Genuine(verifier, genuine, TimeSpan.MaxValue, flooder, out duringCount, out cpuDuring);
            flooder.Join();
            floodSeconds = watch.Elapsed.TotalSeconds;
            alone2 = Genuine(verifier, genuine, TimeSpan.FromSeconds(2), null, out _, out cpuAlone2);
            // Each kind alone, on this thread: what one invalid key costs.
            int each = Math.Min(flood / 3, 30_000);
            for (int kind = 0; kind < 3; kind++)
            {
                var kindWatch = Stopwatch.StartNew();
                for (int i = 0; i < each; i++)
                {
                    verifier.Verify(invalid(3 * i + kind));
                }
                kinds[kind] = kindWatch.Elapsed.TotalSeconds / each;
            }
        }
        (long Bytes, long Rows) after = size();
        // What one audit entry of failures takes: 6,000 failures of distinct requests (each its own entry, well within the
        // bound of a batch), written in 10 batches.
        (long Bytes, long Rows) beforeRows = after;
        using (ApiKeyVerifier verifier = open())
        {
            for (int batch = 0; batch < 10; batch++)
            {
                for (int i = 0; i < 600; i++)
                {
                    verifier.Verify(genuine[0], "GET", "/api/v1/pools/" + (batch * 600 + i).ToString(CultureInfo.InvariantCulture));
                }
                verifier.Store.FlushRecorded();
            }
        }
        (long Bytes, long Rows) afterRows = size();
        result["bytesPerFailureEntry"] = (double)(afterRows.Bytes - beforeRows.Bytes) / (afterRows.Rows - beforeRows.Rows);
        result["failureEntriesWritten"] = afterRows.Rows - beforeRows.Rows;
        result["flood"] = flood;
        result["genuineAloneBeforePerSecond"] = alone1;
        result["genuineAloneAfterPerSecond"] = alone2;
        result["genuineDuringFloodPerSecond"] = during;
        result["genuineDuringFlood"] = duringCount;
        result["floodPerSecond"] = flood / floodSeconds;
        result["genuineCpuSecondsEachAlone"] = (cpuAlone1 + cpuAlone2) / 2;
        result["genuineCpuSecondsEachDuringFlood"] = cpuDuring;
        result["floodCpuSeconds"] = floodCpu;
        result["floodSeconds"] = floodSeconds;
        result["storeGrowthBytes"] = after.Bytes - before.Bytes;
        result["auditRowsAdded"] = after.Rows - before.Rows;
        result["secondsEachMalformed"] = kinds[0];
        result["secondsEachUnknownId"] = kinds[1];
        result["secondsEachWrongSecret"] = kinds[2];
    }

    /// <summary>
    /// What the machine gives two threads at the moment: plain computation (no memory shared, no lock) on two threads
    /// for 300 ms, over the same on one. On an idle 2-core machine about 2; other work on it brings it down.
    /// </summary>
    private static double ComputeScaling()
    {
        double Rate(int threads)
        {
            long total = 0;
            Thread[] workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
            {
                var watch = Stopwatch.StartNew();
                ulong x = 88172645463325252UL;
                long mine = 0;
                while (watch.ElapsedMilliseconds < 300)
                {
                    for (int i = 0; i < 10_000; i++)
                    {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                    }
                    mine += 10_000;
                }
                Interlocked.Add(ref total, x == 0 ? 0 : mine);
            })).ToArray();
            foreach (Thread worker in workers)
            {
                worker.Start();
            }
            foreach (Thread worker in workers)
            {
                worker.Join();
            }
            return total;
        }
        double one = Rate(1);
        return Rate(2) / one;
    }

    /// <summary>
    /// Verifications per second of the keys, shared out among <paramref name="threads"/> threads started together, and
    /// the CPU time each verification took, summed over the threads.
    /// </summary>
    private static (double PerSecond, double CpuEach) Threads(ApiKeyVerifier verifier, string[] keys, int threads)
    {
        using (var go = new ManualResetEventSlim(false))
        {
            int valid = 0;
            double cpu = 0;
            Thread[] workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
            {
                go.Wait();
                double start = Harness.ThreadCpuSeconds();
                int mine = 0;
                for (int i = t; i < keys.Length; i += threads)
                {
                    mine += verifier.Verify(keys[i]).Valid ? 1 : 0;
                }
                double used = Harness.ThreadCpuSeconds() - start;
                lock (keys)
                {
                    cpu += used;
                }
                Interlocked.Add(ref valid, mine);
            })).ToArray();
            foreach (Thread worker in workers)
            {
                worker.Start();
            }
            Thread.Sleep(50);
            var watch = Stopwatch.StartNew();
            go.Set();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }
            double seconds = watch.Elapsed.TotalSeconds;
            Harness.Check(keys.Length, valid);
            return (keys.Length / seconds, cpu / keys.Length);
        }
    }

    /// <summary>Verifications per second of genuine keys (each must be valid) for a time, or while <paramref name="until"/> runs.</summary>
    private static double Genuine(ApiKeyVerifier verifier, string[] keys, TimeSpan time, Thread until, out long count) =>
        Genuine(verifier, keys, time, until, out count, out _);

    /// <summary>The same, with the CPU time each verification took on this thread.</summary>
    private static double Genuine(ApiKeyVerifier verifier, string[] keys, TimeSpan time, Thread until, out long count, out double cpuEach)
    {
        double cpu = Harness.ThreadCpuSeconds();
        var watch = Stopwatch.StartNew();
        count = 0;
        while (until != null ? until.IsAlive : watch.Elapsed < time)
        {
            for (int i = 0; i < 100; i++)
            {
                if (!verifier.Verify(keys[(int)(count % keys.Length)], Call, Resource).Valid)
                {
                    throw new InvalidOperationException("a genuine key did not verify");
                }
                count++;
            }
        }
        cpuEach = (Harness.ThreadCpuSeconds() - cpu) / count;
        return count / watch.Elapsed.TotalSeconds;
    }
}
