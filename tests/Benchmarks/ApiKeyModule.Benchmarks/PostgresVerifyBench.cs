using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using ApiKeyModule;
using Npgsql;
using NpgsqlTypes;

/// <summary>
/// PG2, PG3: verification on PostgreSQL, cache hits and misses; the floor of a miss is the engine's SELECT by id through
/// raw Npgsql, prepared, over the same rows in a schema of its own.
/// </summary>
internal static class PostgresVerifyBench
{
    public static void Verify(int keyCount, int hits, int rounds, Dictionary<string, object> result)
    {
        string engine = PostgresHarness.NewSchema("verify"), raw = PostgresHarness.NewSchema("rawverify");
        try
        {
            var keys = new string[keyCount];
            var ids = new int[keyCount];
            using (ApiKeyStore store = PostgresHarness.OpenStore(engine))
            {
                for (int i = 0; i < keyCount; i++)
                {
                    IssuedApiKey issued = store.Create("v" + i.ToString(CultureInfo.InvariantCulture), Array.Empty<AllowlistEntry>());
                    keys[i] = issued.Key;
                    ids[i] = issued.Id;
                }
            }
            // The floor's table: the same rows, in a schema of its own.
            using (NpgsqlConnection connection = PostgresHarness.Connect())
            {
                PostgresHarness.CreateRawSchema(connection, raw);
                PostgresHarness.Execute(connection, $"INSERT INTO {PostgresSchema.Quote(raw)}.api_keys OVERRIDING SYSTEM VALUE SELECT * FROM {PostgresSchema.Quote(engine)}.api_keys");
                PostgresHarness.Execute(connection, $"ANALYZE {PostgresSchema.Quote(raw)}.api_keys");
            }
            // First use of every key (its last use written), untimed: the timed misses below write nothing.
            using (ApiKeyVerifier first = PostgresHarness.OpenVerifier(engine))
            {
                foreach (string key in keys)
                {
                    if (!first.Verify(key).Valid)
                    {
                        throw new InvalidOperationException("a key created for the benchmark did not verify");
                    }
                }
            }

            var missRuns = new List<double>();
            var floorRuns = new List<double>();
            var hitRuns = new List<double>();
            Stopwatch watch = new Stopwatch();
            // Round 0 warms up (JIT, the server's caches); rounds interleave the floor and the figure so that noise
            // falls on both alike.
            for (int round = 0; round <= rounds; round++)
            {
                using (NpgsqlConnection connection = PostgresHarness.Connect())
                using (var select = new NpgsqlCommand(PostgresHarness.LookupForVerify(raw), connection))
                {
                    NpgsqlParameter id = select.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
                    select.Prepare();
                    int found = 0;
                    watch.Restart();
                    foreach (int keyId in ids)
                    {
                        id.Value = keyId;
                        using (NpgsqlDataReader reader = select.ExecuteReader())
                        {
                            while (reader.Read())
                            {
                                found++;
                            }
                        }
                    }
                    if (round > 0)
                    {
                        floorRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    if (found != keyCount)
                    {
                        throw new InvalidOperationException("the floor's table lacks rows");
                    }
                }
                using (ApiKeyVerifier verifier = PostgresHarness.OpenVerifier(engine))
                {
                    int valid = 0;
                    watch.Restart();
                    foreach (string key in keys)
                    {
                        valid += verifier.Verify(key).Valid ? 1 : 0;
                    }
                    if (round > 0)
                    {
                        missRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    Harness.Check(keyCount, valid);
                    // The same verifier again: cache hits, each checked against the listener's change count.
                    valid = 0;
                    watch.Restart();
                    for (int i = 0; i < hits; i++)
                    {
                        valid += verifier.Verify(keys[i % keyCount]).Valid ? 1 : 0;
                    }
                    if (round > 0)
                    {
                        hitRuns.Add(watch.Elapsed.TotalSeconds);
                    }
                    Harness.Check(hits, valid);
                }
            }
            result["keys"] = keyCount;
            result["hits"] = hits;
            result["rounds"] = rounds;
            result["missPerSecond"] = keyCount / Harness.Median(missRuns);
            result["floorSelectPerSecond"] = keyCount / Harness.Median(floorRuns);
            result["hitPerSecond"] = hits / Harness.Median(hitRuns);
            result["missRunsPerSecond"] = missRuns.Select(s => keyCount / s).ToArray();
            result["floorRunsPerSecond"] = floorRuns.Select(s => keyCount / s).ToArray();
            result["hitRunsPerSecond"] = hitRuns.Select(s => hits / s).ToArray();
        }
        finally
        {
            PostgresHarness.Drop(engine, raw);
        }
    }
}
