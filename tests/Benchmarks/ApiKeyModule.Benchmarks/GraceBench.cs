using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using ApiKeyModule;

/// <summary>
/// P4 part: what a reset with a grace period costs verification. One verifier, cache hits with an authorization, for a
/// key never reset, the new key of a key reset with a grace period, and its previous key (checked after the new key's
/// hash misses). The three run in turn, round after round, so that the machine's load falls on each alike; medians are
/// reported.
/// </summary>
internal static class GraceBench
{
    public static void Verify(string folder, int perRound, int rounds, Dictionary<string, object> result)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "apikeys.db");
        var allowlist = new[] { AllowlistEntry.Create("CALL", "system.*") };
        IssuedApiKey plain, previous, rotated;
        using (ApiKeyStore store = ApiKeyStore.Open(path))
        {
            plain = store.Create("plain", allowlist);
            previous = store.Create("rotated", allowlist);
            rotated = (IssuedApiKey)store.Update(previous.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromDays(1) });
        }
        var cases = new[] { ("plainPerSecond", plain.Key), ("newKeyPerSecond", rotated.Key), ("previousKeyPerSecond", previous.Key) };
        var rates = cases.ToDictionary(c => c.Item1, c => new List<double>());
        using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(path))
        {
            foreach ((string name, string key) in cases)
            {
                if (!verifier.Verify(key, "CALL", "system.info").Valid)
                {
                    throw new InvalidOperationException(name + ": the key did not verify");
                }
            }
            for (int round = 0; round < rounds; round++)
            {
                foreach ((string name, string key) in cases)
                {
                    var watch = Stopwatch.StartNew();
                    for (int i = 0; i < perRound; i++)
                    {
                        verifier.Verify(key, "CALL", "system.info");
                    }
                    rates[name].Add(perRound / watch.Elapsed.TotalSeconds);
                }
            }
        }
        foreach (KeyValuePair<string, List<double>> rate in rates)
        {
            result[rate.Key] = Harness.Median(rate.Value);
        }
    }
}
