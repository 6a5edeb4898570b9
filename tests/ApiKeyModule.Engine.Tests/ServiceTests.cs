using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The sample service (tests/ApiKeyService) end to end: real HTTP requests to Kestrel on a local port, keys made and
    /// changed by the built module in a pwsh process of its own, on a SQLite file or (APIKEYMODULE_TEST_POSTGRES) a
    /// PostgreSQL schema.
    /// </summary>
    public sealed class ServiceTests : IClassFixture<PwshSession>
    {
        // A change made elsewhere reaches a running PostgreSQL verifier within a second (ApiKeyVerifier.Open); the slack
        // is for the HTTP round trips and the pwsh answer on a busy machine.
        private static readonly TimeSpan PostgresBound = TimeSpan.FromSeconds(1);
        private static readonly TimeSpan Slack = TimeSpan.FromSeconds(0.5);
        private const string AllowPoolAndMe = "@{ method = 'GET'; resource = '/pool/*' }, @{ method = 'POST'; resource = '/pool/dataset' }, @{ method = '*'; resource = '/auth/me' }";

        private readonly PwshSession pwsh;
        private readonly ITestOutputHelper output;

        public ServiceTests(PwshSession pwsh, ITestOutputHelper output)
        {
            this.pwsh = pwsh;
            this.output = output;
        }

        [Fact]
        public async Task KeysMadeByNewApiKeyInAnotherProcessAuthenticateRequests()
        {
            using var store = new TempStore();
            // The service first, on a store with no key yet, as a service runs before its clients get keys.
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient();
            (int id, string key) = NewKey(store, "backup-server", AllowPoolAndMe);

            ServiceAnswer listed = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key);
            Assert.Equal(200, listed.Status);
            Assert.Contains("tank/home", listed.Body);

            foreach (ServiceAnswer me in new[]
            {
                await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", apiKey: key),
                await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", authorization: "bearer   " + key),
                await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", authorization: "Bearer " + key + " "),
                // Another scheme carries no key: X-Api-Key does.
                await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", authorization: "Basic dXNlcjpwYXNz", apiKey: key),
            })
            {
                Assert.Equal(200, me.Status);
                using JsonDocument identity = JsonDocument.Parse(me.Body);
                Assert.Equal(id, identity.RootElement.GetProperty("id").GetInt32());
                Assert.Equal("backup-server", identity.RootElement.GetProperty("name").GetString());
            }

            ServiceAnswer created = await ServiceAnswer.SendAsync(client, HttpMethod.Post, "/pool/dataset", bearer: key, json: "{\"name\":\"tank/new\"}");
            Assert.Equal(201, created.Status);
            Assert.Contains("tank/new", (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", apiKey: key)).Body);
        }

        [Fact]
        public async Task MissingMalformedUnknownWrongAndExpiredKeysAre401WithTheBearerChallenge()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient();
            // Expires 2 s from now; the other cases are checked while it runs out.
            DateTime expiresAt = DateTime.UtcNow.AddSeconds(2);
            (int expiringId, string expiring) = NewKey(store, "expiring", AllowPoolAndMe,
                $"-ExpiresAt ([datetime]::Parse('{expiresAt.ToString("o", CultureInfo.InvariantCulture)}', $null, 'RoundtripKind'))");
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", bearer: expiring)).Status);
            (int id, string key) = NewKey(store, "genuine", AllowPoolAndMe);
            string secret = key.Substring(key.IndexOf('-') + 1);
            string otherSecret = new string(secret.Reverse().ToArray());

            ServiceAnswer missing = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset");
            Assert.Equal((401, "Missing", "Bearer"), (missing.Status, missing.Code, missing.Challenge));
            // Basic credentials are no API key.
            ServiceAnswer basic = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", authorization: "Basic dXNlcjpwYXNz");
            Assert.Equal((401, "Missing", "Bearer"), (basic.Status, basic.Code, basic.Challenge));

            var refused = new List<(string What, ServiceAnswer Answer, string Code)>
            {
                ("malformed", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: "not-a-key"), "Malformed"),
                ("empty bearer", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", authorization: "Bearer  "), "Malformed"),
                ("secret too short", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", apiKey: key.Substring(0, key.Length - 1)), "Malformed"),
                ("unknown id", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: $"{id + 1000}-{secret}"), "NotFound"),
                ("wrong secret", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", apiKey: $"{id}-{otherSecret}"), "NotFound"),
                ("another key's secret", await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: $"{expiringId}-{secret}"), "NotFound"),
            };
            foreach ((string what, ServiceAnswer answer, string code) in refused)
            {
                Assert.True(answer.Status == 401 && answer.Code == code, $"{what}: {answer}");
                Assert.StartsWith("Bearer error=\"invalid_token\"", answer.Challenge);
            }
            // The key given twice, in both headers: a bad request (RFC 6750 allows one way per request).
            Assert.Equal(400, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key, apiKey: key)).Status);
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key)).Status);

            // The expiring key works until its time, then is refused as expired on both stores (the verifier compares
            // the time at each request).
            ServiceAnswer last;
            while ((last = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", bearer: expiring)).Status == 200
                && DateTime.UtcNow < expiresAt + Slack)
            {
                await Task.Delay(20);
            }
            DateTime seen = DateTime.UtcNow;
            Assert.True(last.Status == 401 && last.Code == "Expired", $"The key expiring at {expiresAt:o} answered {last} at {seen:o}.");
            Assert.True(seen >= expiresAt.AddMilliseconds(-1), $"Refused as expired at {seen:o}, before its expiry {expiresAt:o}.");
            Assert.StartsWith("Bearer error=\"invalid_token\"", last.Challenge);
        }

        [Fact]
        public async Task CallsTheAllowlistDoesNotAllowAre403()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient();
            (_, string key) = NewKey(store, "reader", "@{ method = 'GET'; resource = '/pool/*' }");
            (_, string none) = NewKey(store, "nothing", "@()");

            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key)).Status);
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset/1", apiKey: key)).Status);
            foreach ((HttpMethod method, string path, string k) in new[]
            {
                (HttpMethod.Delete, "/pool/dataset/1", key),
                (HttpMethod.Put, "/pool/dataset/1", key),
                (HttpMethod.Post, "/pool/dataset", key),
                (HttpMethod.Get, "/system/info", key),
                (HttpMethod.Get, "/auth/me", key),
                // Routes match in any case, allowlists do not: the call is refused, not let through.
                (HttpMethod.Get, "/POOL/dataset", key),
                (HttpMethod.Get, "/pool/dataset", none),
            })
            {
                ServiceAnswer answer = await ServiceAnswer.SendAsync(client, method, path, bearer: k, json: method == HttpMethod.Get || method == HttpMethod.Delete ? null : "{\"name\":\"x\"}");
                Assert.True(answer.Status == 403 && answer.Code == "Forbidden", $"{method} {path}: {answer}");
                Assert.Null(answer.Challenge);
            }
            // A refused call changed nothing.
            Assert.Contains("\"id\":1", (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset/1", bearer: key)).Body);
            // A method no allowlist can name: 405 for a genuine key, 401 for a bad one.
            Assert.Equal(405, (await ServiceAnswer.SendAsync(client, HttpMethod.Patch, "/pool/dataset/1", bearer: key)).Status);
            Assert.Equal(401, (await ServiceAnswer.SendAsync(client, HttpMethod.Patch, "/pool/dataset/1", bearer: key + "x")).Status);
        }

        [Fact]
        public async Task RevokeApiKeyInAnotherProcessRefusesTheNextRequest()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient();
            (int id, string key) = NewKey(store, "to-revoke", AllowPoolAndMe);
            (_, string other) = NewKey(store, "bystander", AllowPoolAndMe);
            // Both verified, hence held in the verifier's cache.
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key)).Status);
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: other)).Status);

            pwsh.Run($"Revoke-ApiKey -Id {id} -Reason 'leaked' -StorePath {PwshSession.Quote(store.Location)}");
            await ExpectChange(store, () => ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key), 401, "Revoked");
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: other)).Status);
        }

        [Fact]
        public async Task SetApiKeyResetInAnotherProcessRefusesTheOldKeyAndAcceptsTheNewOne()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient();
            (int id, string oldKey) = NewKey(store, "to-reset", AllowPoolAndMe);
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", bearer: oldKey)).Status);

            string newKey = pwsh.Run($"(Set-ApiKey -Id {id} -Reset -StorePath {PwshSession.Quote(store.Location)}).Key").GetString();
            Assert.NotEqual(oldKey, newKey);
            Assert.StartsWith(id + "-", newKey);
            await ExpectChange(store, () => ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", bearer: oldKey), 401, "NotFound");
            ServiceAnswer me = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", apiKey: newKey);
            Assert.Equal(200, me.Status);
            using JsonDocument identity = JsonDocument.Parse(me.Body);
            Assert.Equal(id, identity.RootElement.GetProperty("id").GetInt32());
        }

        [Fact]
        public async Task RotationWithAGracePeriodKeepsAClientWorkingThroughTheSwitch()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            using HttpClient client = service.NewClient(1);
            (int id, string oldKey) = NewKey(store, "rotated", AllowPoolAndMe);

            // The client calls the service without pause, with whichever key it holds, and notes every answer, the key
            // it used and when it sent the request.
            var clock = Stopwatch.StartNew();
            string held = oldKey;
            var answers = new ConcurrentQueue<(ServiceAnswer Answer, bool OldKey, TimeSpan SentAt)>();
            using var stop = new CancellationTokenSource();
            Task calling = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    string key = Volatile.Read(ref held);
                    TimeSpan sentAt = clock.Elapsed;
                    ServiceAnswer answer = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", bearer: key);
                    answers.Enqueue((answer, ReferenceEquals(key, oldKey), sentAt));
                }
            });
            try
            {
                await Until(() => answers.Count >= 20, calling);
                string newKey = pwsh.Run($"(Set-ApiKey -Id {id} -Reset -GracePeriod ([TimeSpan]::FromMinutes(10)) -StorePath {PwshSession.Quote(store.Location)}).Key").GetString();
                TimeSpan resetDone = clock.Elapsed;
                Assert.NotEqual(oldKey, newKey);
                // The client goes on with the old key after the reset, until it is given the new one. On PostgreSQL a
                // running verifier learns of the new secret within its bound, so the new key is handed over after it.
                TimeSpan handOver = resetDone + (store.Postgres ? PostgresBound + Slack : TimeSpan.Zero);
                await Until(() => clock.Elapsed >= handOver && answers.Count(a => a.OldKey && a.SentAt > resetDone) >= 20, calling);
                TimeSpan switched = clock.Elapsed;
                Volatile.Write(ref held, newKey);
                await Until(() => answers.Count(a => !a.OldKey && a.SentAt > switched) >= 20, calling);
            }
            finally
            {
                stop.Cancel();
                await calling;
            }

            var refused = answers.Where(a => a.Answer.Status != 200).ToList();
            output.WriteLine($"{answers.Count} calls: {answers.Count(a => a.OldKey)} with the old key, {answers.Count(a => !a.OldKey)} with the new; {refused.Count} not 200.");
            Assert.True(refused.Count == 0, $"Refused during the rotation: {string.Join("; ", refused.Take(5).Select(a => $"{(a.OldKey ? "old" : "new")} key at {a.SentAt.TotalMilliseconds:0} ms: {a.Answer}"))}");
            Assert.All(answers, a => Assert.Contains($"\"id\":{id},", a.Answer.Body));
            // Within the grace period the old key still works after the switch.
            Assert.Equal(200, (await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/auth/me", apiKey: oldKey)).Status);
        }

        [Fact]
        public async Task AFloodOfBadKeysFromOneClientLeavesAnotherClientsRequestsSucceeding()
        {
            using var store = new TempStore();
            await using ServiceHost service = await ServiceHost.StartAsync(store.Location);
            (int id, string key) = NewKey(store, "genuine", AllowPoolAndMe);
            const int Genuine = 100;
            const int Attackers = 4;
            using HttpClient genuine = service.NewClient(1);
            using HttpClient attacker = service.NewClient(Attackers);

            // The genuine client's rate alone, then under the flood: sequential requests, each of which must succeed.
            (int quietOk, TimeSpan quiet) = await GenuineCalls(genuine, key, Genuine);
            Assert.Equal(Genuine, quietOk);

            // The flood: malformed keys, unknown ids, and wrong secrets for the genuine key's own id, each distinct, from
            // connections of their own, until the genuine client is done; every one must be refused with 401.
            string secret = key.Substring(key.IndexOf('-') + 1);
            long sent = 0;
            var wrong = new ConcurrentQueue<ServiceAnswer>();
            using var stop = new CancellationTokenSource();
            Task[] flood = Enumerable.Range(0, Attackers).Select(worker => Task.Run(async () =>
            {
                for (long n = worker; !stop.IsCancellationRequested; n += Attackers)
                {
                    string presented = (n % 3) switch
                    {
                        0 => "garbage-" + n.ToString(CultureInfo.InvariantCulture),
                        1 => $"{1_000_000 + n}-{secret}",
                        _ => $"{id}-{n.ToString("D64", CultureInfo.InvariantCulture)}",
                    };
                    ServiceAnswer answer = await ServiceAnswer.SendAsync(attacker, HttpMethod.Get, "/pool/dataset", bearer: presented);
                    if (answer.Status != 401)
                    {
                        wrong.Enqueue(answer);
                    }
                    Interlocked.Increment(ref sent);
                }
            })).ToArray();
            int floodedOk;
            TimeSpan flooded;
            long sentBefore, sentDuring;
            var floodClock = Stopwatch.StartNew();
            try
            {
                // The genuine calls start once the flood is under way, and it goes on until they end.
                await Until(() => Interlocked.Read(ref sent) >= 100, flood);
                sentBefore = Interlocked.Read(ref sent);
                (floodedOk, flooded) = await GenuineCalls(genuine, key, Genuine);
                sentDuring = Interlocked.Read(ref sent) - sentBefore;
            }
            finally
            {
                stop.Cancel();
                await Task.WhenAll(flood);
            }
            double floodRate = sent / floodClock.Elapsed.TotalSeconds;
            output.WriteLine($"Genuine client alone: {Genuine / quiet.TotalSeconds:N0} requests/s; under the flood: {Genuine / flooded.TotalSeconds:N0} requests/s " +
                $"({quiet.TotalSeconds / flooded.TotalSeconds:0.00}×). Flood: {sent:N0} bad keys, {floodRate:N0}/s ({sentDuring:N0} during the genuine calls).");
            Assert.Equal(Genuine, floodedOk);
            Assert.True(wrong.IsEmpty, $"{wrong.Count} bad keys were not refused with 401, e.g. {wrong.FirstOrDefault()}");
            Assert.True(sentDuring > 0, "The flood sent nothing while the genuine client called.");
        }

        /// <summary>Sequential calls with a genuine key; how many succeeded (any other answer fails the test) and how long they took.</summary>
        private static async Task<(int Ok, TimeSpan Took)> GenuineCalls(HttpClient client, string key, int count)
        {
            var watch = Stopwatch.StartNew();
            int ok = 0;
            for (int i = 0; i < count; i++)
            {
                ServiceAnswer answer = await ServiceAnswer.SendAsync(client, HttpMethod.Get, "/pool/dataset", bearer: key);
                Assert.True(answer.Status == 200, $"Genuine request {i + 1} of {count}: {answer}");
                ok++;
            }
            return (ok, watch.Elapsed);
        }

        /// <summary>
        /// After a change committed by another process: on SQLite the very next request shows it; on PostgreSQL a request
        /// shows it within the bound (requests until then must still succeed, as before the change).
        /// </summary>
        private async Task ExpectChange(TempStore store, Func<Task<ServiceAnswer>> send, int status, string code)
        {
            var watch = Stopwatch.StartNew();
            int requests = 1;
            ServiceAnswer answer = await send();
            while (store.Postgres && answer.Status == 200 && watch.Elapsed < PostgresBound + Slack)
            {
                answer = await send();
                requests++;
            }
            Assert.True(answer.Status == status && answer.Code == code,
                $"Expected {status} {code} {(store.Postgres ? $"within {(PostgresBound + Slack).TotalSeconds} s" : "at the next request")}; got {answer} after {requests} requests, {watch.Elapsed.TotalMilliseconds:0} ms.");
            output.WriteLine($"Refused ({code}) at request {requests}, {watch.Elapsed.TotalMilliseconds:0.0} ms after the other process returned.");
        }

        /// <summary>Waits for <paramref name="condition"/>; fails at once if <paramref name="work"/> stopped, and after 2 minutes (a hung test only).</summary>
        private static async Task Until(Func<bool> condition, params Task[] work)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                Task ended = work.FirstOrDefault(t => t.IsCompleted);
                if (ended != null)
                {
                    await ended;
                    throw new InvalidOperationException("The calls stopped before the condition held.");
                }
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), "Waited 2 minutes.");
                await Task.Delay(5);
            }
        }

        /// <summary>A key made by New-ApiKey in the pwsh session; its id and the key itself.</summary>
        private (int Id, string Key) NewKey(TempStore store, string name, string allowlist, string more = "")
        {
            JsonElement made = pwsh.Run($"New-ApiKey -StorePath {PwshSession.Quote(store.Location)} -Name {PwshSession.Quote(name)} -Allowlist {allowlist} {more} -WarningAction Ignore | Select-Object Id, Key");
            return (made.GetProperty("Id").GetInt32(), made.GetProperty("Key").GetString());
        }
    }
}
