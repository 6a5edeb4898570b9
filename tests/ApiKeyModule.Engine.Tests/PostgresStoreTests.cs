using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace ApiKeyModule.Tests
{
    /// <summary>What only a store on a PostgreSQL server has: its schema, many hosts at once, the verifier's listener, roles.</summary>
    public class PostgresStoreTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };
        private readonly ITestOutputHelper output;

        public PostgresStoreTests(ITestOutputHelper output)
        {
            this.output = output;
        }

        [PostgresFact]
        public void The_schema_is_created_on_first_use_where_it_was_asked_for()
        {
            using (var temp = new TempStore())
            {
                Assert.Equal(0L, temp.Sql("SELECT count(*) FROM pg_namespace WHERE nspname = @schema", ("schema", temp.Schema)));
                Guid id;
                using (ApiKeyStore store = temp.Open())
                {
                    id = store.Id;
                    store.Create("k", Info);
                }
                Assert.Equal("api_keys,audit_log,key_changes,store_info", temp.Sql(
                    "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = @schema", ("schema", temp.Schema)));
                Assert.Equal(PostgresSchema.CurrentVersion.ToString(), temp.Sql("SELECT value FROM store_info WHERE key = 'version'"));
                Assert.Equal(id.ToString(), temp.Sql("SELECT value FROM store_info WHERE key = 'id'"));
                Assert.Equal("C", temp.Sql("SELECT collation_name FROM information_schema.columns WHERE table_schema = @schema AND table_name = 'api_keys' AND column_name = 'name_folded'",
                    ("schema", temp.Schema)));
                Assert.Equal("ALWAYS", temp.Sql("SELECT identity_generation FROM information_schema.columns WHERE table_schema = @schema AND table_name = 'api_keys' AND column_name = 'id'",
                    ("schema", temp.Schema)));
            }
        }

        [PostgresFact]
        public void Reading_a_store_that_does_not_exist_creates_nothing_on_the_server()
        {
            using (var temp = new TempStore())
            {
                Assert.Null(ApiKeyStore.OpenIfExists(temp.Location));
                Assert.Equal(0L, temp.Sql("SELECT count(*) FROM pg_namespace WHERE nspname = @schema", ("schema", temp.Schema)));
                temp.Sql("CREATE SCHEMA " + PostgresSchema.Quote(temp.Schema));
                Assert.Null(ApiKeyStore.OpenIfExists(temp.Location));
                Assert.Equal(0L, temp.Sql("SELECT count(*) FROM information_schema.tables WHERE table_schema = @schema", ("schema", temp.Schema)));
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("k", Info);
                }
                using (ApiKeyStore store = ApiKeyStore.OpenIfExists(temp.Location))
                {
                    Assert.Equal("k", Assert.Single(store.List()).Name);
                }
            }
        }

        [PostgresFact]
        public void A_first_version_schema_is_upgraded_in_place_its_keys_kept_and_its_new_columns_announced()
        {
            using (var temp = new TempStore())
            {
                Guid id = Guid.NewGuid();
                temp.Sql("CREATE SCHEMA " + PostgresSchema.Quote(temp.Schema) + ";" + PostgresSchema.Migration(0, temp.Schema, id) +
                         "INSERT INTO store_info (key, value) VALUES ('version', '1')");
                IssuedApiKey key;
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Equal(id, store.Id);
                    key = store.Create("kept", Info);
                }
                Assert.Equal(PostgresSchema.CurrentVersion.ToString(), temp.Sql("SELECT value FROM store_info WHERE key = 'version'"));
                Assert.Equal(1L, temp.Sql("SELECT count FROM audit_log WHERE key_id = @id", ("id", key.Id)));
                long changes = (long)temp.Sql("SELECT count FROM key_changes");
                temp.Sql("UPDATE api_keys SET previous_key_expires_at = 1 WHERE id = @id", ("id", key.Id));
                Assert.Equal(changes + 1, (long)temp.Sql("SELECT count FROM key_changes"));
                temp.Sql("UPDATE api_keys SET previous_key_last_used_at = 1 WHERE id = @id", ("id", key.Id));
                Assert.Equal(changes + 1, (long)temp.Sql("SELECT count FROM key_changes"));
            }
        }

        [PostgresFact]
        public void An_empty_schema_made_beforehand_by_an_administrator_is_used()
        {
            using (var temp = new TempStore())
            {
                temp.Sql("CREATE SCHEMA " + PostgresSchema.Quote(temp.Schema));
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Equal(1, store.Create("k", Info).Id);
                }
            }
        }

        [PostgresFact]
        public void A_schema_newer_than_the_module_is_refused_and_left_untouched()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open())
                {
                    store.Create("a", Info);
                }
                temp.Sql("UPDATE store_info SET value = @version WHERE key = 'version'", ("version", (PostgresSchema.CurrentVersion + 1).ToString()));
                string before = Fingerprint(temp);
                var e = Assert.Throws<ApiKeyException>(() => temp.Open());
                Assert.Equal("StoreSchemaTooNew", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.InvalidData, e.Category);
                Assert.Contains($"schema version {PostgresSchema.CurrentVersion + 1}, newer than this module understands ({PostgresSchema.CurrentVersion})", e.Message);
                Assert.Equal(before, Fingerprint(temp));
            }
        }

        [PostgresFact]
        public void Another_applications_schema_is_refused_and_left_untouched()
        {
            using (var temp = new TempStore())
            {
                temp.Sql("CREATE SCHEMA " + PostgresSchema.Quote(temp.Schema));
                temp.Sql("CREATE TABLE notes (body text); INSERT INTO notes VALUES ('keep me')");
                string before = Fingerprint(temp);
                var e = Assert.Throws<ApiKeyException>(() => temp.Open());
                Assert.Equal("StoreNotRecognized", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.InvalidData, e.Category);
                Assert.Contains($"The schema '{temp.Schema}'", e.Message);
                Assert.Contains("left untouched", e.Message);
                Assert.Equal(before, Fingerprint(temp));
                Assert.Contains("notes:body:(\"keep me\")", before);
            }
        }

        [PostgresFact]
        public void A_schema_with_a_store_info_table_of_another_application_is_refused()
        {
            using (var temp = new TempStore())
            {
                temp.Sql("CREATE SCHEMA " + PostgresSchema.Quote(temp.Schema));
                temp.Sql("CREATE TABLE store_info (key text, value text); INSERT INTO store_info VALUES ('colour', 'blue')");
                Assert.Equal("StoreNotRecognized", Assert.Throws<ApiKeyException>(() => temp.Open()).ErrorId);
                Assert.Equal(1L, temp.Sql("SELECT count(*) FROM store_info"));
            }
        }

        [PostgresFact]
        public void Eight_hosts_starting_on_an_empty_database_at_once_make_one_store()
        {
            using (var temp = new TempStore())
            {
                const int hosts = 8;
                var start = new Barrier(hosts);
                var opened = Enumerable.Range(0, hosts).Select(_ => Task.Factory.StartNew(() =>
                {
                    start.SignalAndWait();
                    using (ApiKeyStore store = temp.Open())
                    {
                        return store.Id;
                    }
                }, TaskCreationOptions.LongRunning)).ToArray();
                Guid[] ids = opened.Select(task => task.Result).ToArray();
                Assert.Single(ids.Distinct());
                Assert.Equal("id,version", temp.Sql("SELECT string_agg(key, ',' ORDER BY key) FROM store_info"));
                Assert.Equal(ids[0].ToString(), temp.Sql("SELECT value FROM store_info WHERE key = 'id'"));
            }
        }

        [PostgresFact]
        public void Two_hosts_creating_the_same_name_at_once_give_one_key_and_DuplicateName()
        {
            using (var temp = new TempStore())
            {
                const int hosts = 8;
                var stores = Enumerable.Range(0, hosts).Select(_ => temp.Open()).ToArray();
                try
                {
                    var start = new Barrier(hosts);
                    Task<string>[] creating = stores.Select((store, i) => Task.Factory.StartNew(() =>
                    {
                        start.SignalAndWait();
                        try
                        {
                            return store.Create(i % 2 == 0 ? "race" : "RACE", Info).Id.ToString();
                        }
                        catch (ApiKeyException e)
                        {
                            return e.ErrorId;
                        }
                    }, TaskCreationOptions.LongRunning)).ToArray();
                    List<string> outcomes = creating.Select(task => task.Result).ToList();
                    Assert.Equal(hosts - 1, outcomes.Count(outcome => outcome == "DuplicateName"));
                    ApiKey only = Assert.Single(stores[0].List());
                    Assert.Contains(only.Id.ToString(), outcomes);
                    Assert.Single(stores[0].ReadAuditLog(), entry => entry.Action == AuditAction.Create);
                }
                finally
                {
                    foreach (ApiKeyStore store in stores)
                    {
                        store.Dispose();
                    }
                }
            }
        }

        [PostgresFact]
        public void A_revocation_by_another_host_is_refused_by_a_running_verifier_within_a_second()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore admin = temp.Open())
            using (ApiKeyVerifier verifier = temp.OpenVerifier())
            {
                var took = new List<TimeSpan>();
                for (int i = 0; i < 20; i++)
                {
                    IssuedApiKey key = admin.Create("svc" + i, Info);
                    CacheAndListen(verifier, key);
                    // Another client of the server, as another host's cmdlet would be: nothing in this process hears of it.
                    temp.Sql("UPDATE api_keys SET revoked = TRUE WHERE id = @id", ("id", key.Id));
                    took.Add(Within.OneSecond(() => Assert.Equal(VerificationCode.Revoked, verifier.Verify(key.Key).Code)));
                }
                Report("revocation seen by a running verifier", took);
                Assert.All(took, t => Assert.True(t < TimeSpan.FromSeconds(1), $"took {t.TotalMilliseconds} ms"));
            }
        }

        [PostgresFact]
        public void A_verifier_whose_listening_connection_was_killed_still_refuses_a_revocation_within_a_second()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore admin = temp.Open())
            using (ApiKeyVerifier verifier = temp.OpenVerifier())
            {
                var took = new List<TimeSpan>();
                for (int i = 0; i < 5; i++)
                {
                    IssuedApiKey key = admin.Create("svc" + i, Info);
                    CacheAndListen(verifier, key);
                    // The verifier may say it listens a moment before the server shows the listening connection's query.
                    Within.Bound(TimeSpan.FromSeconds(10), () => Assert.Equal(1L, KillListener(temp)));
                    temp.Sql("UPDATE api_keys SET revoked = TRUE WHERE id = @id", ("id", key.Id));
                    took.Add(Within.OneSecond(() => Assert.Equal(VerificationCode.Revoked, verifier.Verify(key.Key).Code)));
                }
                // And once it listens again, announcements reach it as before.
                IssuedApiKey after = admin.Create("after", Info);
                CacheAndListen(verifier, after);
                temp.Sql("DELETE FROM api_keys WHERE id = @id", ("id", after.Id));
                took.Add(Within.OneSecond(() => Assert.Equal(VerificationCode.NotFound, verifier.Verify(after.Key).Code)));
                Report("revocation seen after the listener was killed", took);
                Assert.All(took, t => Assert.True(t < TimeSpan.FromSeconds(1), $"took {t.TotalMilliseconds} ms"));
            }
        }

        [PostgresFact]
        public void A_missed_announcement_is_made_up_for_by_the_count_of_changes_within_a_second()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore admin = temp.Open())
            using (ApiKeyVerifier verifier = temp.OpenVerifier())
            {
                IssuedApiKey key = admin.Create("svc", Info);
                CacheAndListen(verifier, key);
                // Counted but not announced, as if the announcement were lost: the count read every 250 ms shows it.
                temp.Sql("BEGIN; ALTER TABLE api_keys DISABLE TRIGGER USER; UPDATE api_keys SET revoked = TRUE WHERE id = @id; " +
                         "ALTER TABLE api_keys ENABLE TRIGGER USER; UPDATE key_changes SET count = count + 1; COMMIT", ("id", key.Id));
                TimeSpan took = Within.OneSecond(() => Assert.Equal(VerificationCode.Revoked, verifier.Verify(key.Key).Code));
                output.WriteLine($"a counted change without announcement was seen after {took.TotalMilliseconds:F1} ms");
            }
        }

        [PostgresFact]
        public void Ordinary_use_does_not_start_a_listener()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", Info);
                store.Update(key.Id, new ApiKeyChanges { Name = "svc2" });
                Assert.True(store.Verify(key.Key).Valid);
                store.List().ToList();
                var backend = (PostgresBackend)store.Backend;
                Thread.Sleep(300);
                Assert.False(backend.IsListening);
                Assert.Equal(0L, Listeners(temp));
            }
        }

        [PostgresFact]
        public void A_store_whose_connection_was_killed_while_idle_carries_on()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                var backend = (PostgresBackend)store.Backend;
                IssuedApiKey key = store.Create("svc", Info);
                Assert.True(Terminate(temp, backend.ServerProcessId));
                Assert.Equal("svc", store.Get(key.Id).Name);
                Assert.True(Terminate(temp, backend.ServerProcessId));
                store.Revoke(key.Id, "r");
                Assert.True(Terminate(temp, backend.ServerProcessId));
                Assert.Equal(VerificationCode.Revoked, store.Verify(key.Key).Code);
                Assert.Equal(new[] { AuditAction.VerificationFailed, AuditAction.Revoke, AuditAction.Create }, store.ReadAuditLog().Select(e => e.Action));
            }
        }

        [PostgresFact]
        public void A_lock_held_longer_than_the_busy_timeout_is_StoreBusy()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open()) { }
                using (var holder = new NpgsqlConnection(temp.ConnectionString))
                {
                    holder.Open();
                    using (NpgsqlTransaction transaction = holder.BeginTransaction())
                    {
                        new NpgsqlCommand("LOCK TABLE api_keys IN EXCLUSIVE MODE", holder, transaction).ExecuteNonQuery();
                        using (ApiKeyStore store = temp.Open(TimeSpan.FromMilliseconds(300)))
                        {
                            var watch = Stopwatch.StartNew();
                            var e = Assert.Throws<ApiKeyException>(() => store.Create("k", Info));
                            Assert.Equal("StoreBusy", e.ErrorId);
                            Assert.Equal(ApiKeyErrorCategory.ResourceBusy, e.Category);
                            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(10));
                        }
                    }
                }
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.Empty(store.List());
                }
            }
        }

        [PostgresFact]
        public void A_role_without_write_grants_verifies_and_records_use_but_changes_nothing()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("svc", Info);
                // The grants of a verifier role (the owner may take its own privileges away, as it would another role's).
                temp.Sql("REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA " + PostgresSchema.Quote(temp.Schema) + " FROM CURRENT_USER; " +
                         "GRANT INSERT ON audit_log TO CURRENT_USER; GRANT UPDATE (last_used_at) ON api_keys TO CURRENT_USER");
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.True(store.Verify(key.Key).Valid);
                    Assert.Equal(VerificationCode.NotFound, store.Verify(key.Id + "-" + new string('x', 64)).Code);
                    foreach (Action change in new Action[]
                    {
                        () => store.Create("other", Info),
                        () => store.Revoke(key.Id, "r"),
                        () => store.Update(key.Id, new ApiKeyChanges { Reset = true }),
                        () => store.Delete(key.Id),
                    })
                    {
                        var e = Assert.Throws<ApiKeyException>(change);
                        Assert.Equal("StoreReadOnly", e.ErrorId);
                        Assert.Equal(ApiKeyErrorCategory.PermissionDenied, e.Category);
                        Assert.Contains($"schema '{temp.Schema}'", e.Message);
                    }
                    Assert.NotNull(store.Get(key.Id).LastUsedAt);
                }
                Assert.Equal(false, temp.Sql("SELECT revoked FROM api_keys WHERE id = @id", ("id", key.Id)));
                Assert.Equal(1L, temp.Sql("SELECT count(*) FROM api_keys"));
                Assert.Equal(1L, temp.Sql("SELECT count(*) FROM audit_log WHERE action = @action", ("action", AuditAction.VerificationFailed)));
            }
        }

        [PostgresFact]
        public void No_error_or_location_shows_the_password()
        {
            string password = new NpgsqlConnectionStringBuilder(TempStore.Server).Password;
            string wrong = "Wr0ng-" + Guid.NewGuid().ToString("N");
            var refused = new Dictionary<string, string>
            {
                ["a wrong password"] = new NpgsqlConnectionStringBuilder(TempStore.Server) { Password = wrong }.ConnectionString,
                ["no database"] = new NpgsqlConnectionStringBuilder(TempStore.Server) { Password = wrong, Database = "nothing_here" }.ConnectionString,
                ["nobody listening"] = new NpgsqlConnectionStringBuilder(TempStore.Server) { Password = wrong, Port = ClosedPort(), Timeout = 3 }.ConnectionString,
                ["an unknown keyword"] = "Host=127.0.0.1;Password=" + wrong + ";Colour=blue",
                ["a bad port"] = "Host=127.0.0.1;Password=" + wrong + ";Port=seventy",
            };
            foreach (KeyValuePair<string, string> attempt in refused)
            {
                var e = Assert.Throws<ApiKeyException>(() => ApiKeyStore.Open(attempt.Value + ";Schema=t_" + Guid.NewGuid().ToString("N")));
                Assert.Equal("StoreUnavailable", e.ErrorId);
                Assert.DoesNotContain(wrong, e.ToString());
                Assert.DoesNotContain(wrong, e.Target.ToString());
                output.WriteLine(attempt.Key + ": " + e.Message);
            }
            Assert.Contains("PGPASSWORD", Assert.Throws<ApiKeyException>(() => ApiKeyStore.Open(refused["a wrong password"])).Message);
            Assert.Contains("Host, Port", Assert.Throws<ApiKeyException>(() => ApiKeyStore.Open(refused["nobody listening"])).Message);
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", Info);
                Assert.DoesNotContain(password, store.Path);
                Assert.Contains("Database=", store.Path);
                Assert.DoesNotContain(password, key.Store);
                Assert.All(store.ReadAuditLog(), entry => Assert.DoesNotContain(password, entry.Store));
            }
        }

        [PostgresFact]
        public void A_name_prefix_is_found_through_the_name_index()
        {
            using (var temp = new TempStore())
            {
                using (ApiKeyStore store = temp.Open()) { }
                string plan = (string)temp.Sql("SET enable_seqscan = off; EXPLAIN (FORMAT JSON) SELECT id FROM api_keys WHERE name_folded >= @p AND name_folded < @q",
                    ("p", "OLD"), ("q", "OLD\U0010FFFF"));
                Assert.Contains("\"Index Name\": \"api_keys_name_folded_key\"", plan);
            }
        }

        [PostgresFact]
        public void A_long_audit_log_is_read_whole_in_order_page_after_page()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                // Ten rows per millisecond, so that pages end among rows of the same time.
                temp.Sql("INSERT INTO audit_log (at, action, key_id, details, os_user, host, process_id) " +
                         "SELECT 1700000000000 + i / 10, 'VerificationFailed', i % 3, 'row ' || i, 'u', 'h', 1 FROM generate_series(1, 2500) AS i");
                long[] expected = Enumerable.Range(1, 2500).OrderByDescending(i => i / 10).ThenByDescending(i => i).Select(i => (long)i).ToArray();
                Assert.Equal(expected.Select(i => "row " + i), store.ReadAuditLog().Select(e => e.Details));
                Assert.Equal(expected.Where(i => i % 3 == 1).Select(i => "row " + i), store.ReadAuditLog(new[] { 1 }).Select(e => e.Details));
                DateTime after = UnixTime.FromMilliseconds(1700000000000 + 50), before = UnixTime.FromMilliseconds(1700000000000 + 200);
                Assert.Equal(expected.Where(i => i / 10 > 50 && i / 10 < 200).Select(i => "row " + i), store.ReadAuditLog(null, after, before.AddTicks(-1)).Select(e => e.Details));
            }
        }

        /// <summary>Verifies until the key is cached and the verifier's listener vouches for the cache.</summary>
        private static void CacheAndListen(ApiKeyVerifier verifier, IssuedApiKey key)
        {
            var backend = (PostgresBackend)verifier.Store.Backend;
            Within.Bound(TimeSpan.FromSeconds(10), () =>
            {
                Assert.True(verifier.Verify(key.Key).Valid);
                Assert.True(verifier.Verify(key.Key).Valid);
                Assert.True(backend.IsListening);
            });
        }

        private static long KillListener(TempStore temp) => (long)temp.Sql(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name AND strpos(query, @schema) > 0",
            ("name", PostgresConnectionString.ListenerApplicationName), ("schema", temp.Schema));

        private static long Listeners(TempStore temp) => (long)temp.Sql(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name AND strpos(query, @schema) > 0",
            ("name", PostgresConnectionString.ListenerApplicationName), ("schema", temp.Schema));

        private static bool Terminate(TempStore temp, int pid)
        {
            bool ended = (bool)temp.Sql("SELECT pg_terminate_backend(@pid, 5000)", ("pid", pid));
            return ended;
        }

        /// <summary>Everything in the store's schema: its tables, their columns and rows.</summary>
        private static string Fingerprint(TempStore temp) => (string)temp.Sql(
            "SELECT string_agg(t.table_name || ':' || (SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns c " +
            "WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name) || ':' || " +
            "(xpath('/row/rows/text()', query_to_xml(format('SELECT string_agg(x::text, ''|'' ORDER BY x::text) AS rows FROM %I.%I x', t.table_schema, t.table_name), false, true, '')))[1]::text, " +
            "';' ORDER BY t.table_name) FROM information_schema.tables t WHERE t.table_schema = @schema",
            ("schema", temp.Schema));

        private static int ClosedPort()
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            return port;
        }

        private void Report(string what, List<TimeSpan> took)
        {
            output.WriteLine(string.Join(" ", took.Select(t => t.TotalMilliseconds.ToString("F1"))));
            double[] ms = took.Select(t => t.TotalMilliseconds).OrderBy(t => t).ToArray();
            output.WriteLine($"{what}: median {ms[ms.Length / 2]:F1} ms, worst {ms[ms.Length - 1]:F1} ms over {ms.Length}");
        }
    }
}
