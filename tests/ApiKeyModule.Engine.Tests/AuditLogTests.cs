using System;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    public class AuditLogTests
    {
        [Fact]
        public void Every_change_and_failed_verification_is_recorded_without_key_material()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey created = store.Create("svc", new[] { AllowlistEntry.Create("CALL", "system.info") });
                store.Update(created.Id, new ApiKeyChanges { Name = "svc2" });
                store.Update(created.Id, new ApiKeyChanges { Allowlist = new[] { AllowlistEntry.Create("GET", "/pool") } });
                store.Update(created.Id, new ApiKeyChanges { ExpiresAt = DateTime.UtcNow.AddDays(1) });
                store.Revoke(created.Id, "leaked");
                var reset = (IssuedApiKey)store.Update(created.Id, new ApiKeyChanges { Reset = true });
                store.Verify(created.Key);
                store.Verify(reset.Key, "GET", "/other");
                store.Verify("garbage");
                store.Verify(reset.Key);
                store.Delete(created.Id);

                var log = store.ReadAuditLog().ToList();
                Assert.Equal(new[]
                {
                    AuditAction.Delete, AuditAction.VerificationFailed, AuditAction.VerificationFailed, AuditAction.VerificationFailed,
                    AuditAction.Reset, AuditAction.Revoke, AuditAction.SetExpiry, AuditAction.SetAllowlist, AuditAction.Rename, AuditAction.Create,
                }, log.Select(e => e.Action));

                var rename = log.Single(e => e.Action == AuditAction.Rename);
                Assert.Equal(("svc", "svc2"), (rename.OldValue, rename.NewValue));
                var allowlist = log.Single(e => e.Action == AuditAction.SetAllowlist);
                Assert.Equal(("CALL system.info", "GET /pool"), (allowlist.OldValue, allowlist.NewValue));
                Assert.Equal("never", log.Single(e => e.Action == AuditAction.SetExpiry).OldValue);
                Assert.Equal("leaked", log.Single(e => e.Action == AuditAction.Revoke).Details);
                Assert.Equal(new[] { "Malformed", "Forbidden: GET /other", "NotFound" },
                    log.Where(e => e.Action == AuditAction.VerificationFailed).Select(e => e.Details));

                foreach (ApiKeyAuditEntry entry in log)
                {
                    Assert.Equal(DateTimeKind.Utc, entry.Time.Kind);
                    Assert.Equal(Environment.UserName, entry.User);
                    Assert.Equal(Environment.MachineName, entry.Host);
                    Assert.Equal(Environment.ProcessId, entry.ProcessId);
                }
                string everything = string.Join("|", log.Select(e => string.Join("|", e.KeyName, e.OldValue, e.NewValue, e.Details)));
                foreach (string key in new[] { created.Key, reset.Key })
                {
                    Assert.DoesNotContain(key.Split('-')[1], everything);
                }
            }
        }

        [Fact]
        public void The_log_survives_the_delete_and_filters_by_key_and_time()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int a = store.Create("a", new AllowlistEntry[0]).Id;
                System.Threading.Thread.Sleep(20);
                DateTime between = DateTime.UtcNow;
                System.Threading.Thread.Sleep(20);
                int b = store.Create("b", new AllowlistEntry[0]).Id;
                store.Delete(a);

                Assert.Equal(new[] { AuditAction.Delete, AuditAction.Create }, store.ReadAuditLog(new[] { a }).Select(e => e.Action));
                Assert.All(store.ReadAuditLog(new[] { a }), e => Assert.Equal("a", e.KeyName));
                Assert.Equal(new[] { b }, store.ReadAuditLog(after: between, before: DateTime.UtcNow.AddSeconds(1)).Where(e => e.Action == AuditAction.Create).Select(e => e.KeyId.Value));
                Assert.Single(store.ReadAuditLog(before: between));
            }
        }

        [Fact]
        public void The_upper_bound_is_exclusive_to_the_millisecond_rows_are_kept_in()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                store.Create("svc", new AllowlistEntry[0]);
                DateTime written = store.ReadAuditLog().Single().Time;
                Assert.Empty(store.ReadAuditLog(before: written));
                Assert.Single(store.ReadAuditLog(before: written.AddTicks(1)));
            }
        }

        [SqliteOnlyFact("a store file of SQLite's first schema version")]
        public void A_first_version_store_is_migrated_with_its_keys_intact()
        {
            using (var temp = new TempStore())
            {
                System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(temp.Path_));
                temp.Sql(StoreSchema.Migrations[0] + "PRAGMA user_version = 1;");
                string secret = KeySecret.Generate();
                string hash = string.Concat(KeySecret.Hash(secret).Select(x => x.ToString("x2")));
                temp.Sql($"INSERT INTO api_keys (name, name_folded, created_at, allowlist, key_hash, hash_algorithm) VALUES ('old', 'OLD', 1700000000000, 'CALL system.info', x'{hash}', 'sha256')");
                using (ApiKeyStore store = temp.Open())
                {
                    ApiKey old = store.Get(1);
                    Assert.Equal("old", old.Name);
                    Assert.Equal(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc), old.CreatedAt);
                    Assert.Null(old.ExpiresAt);
                    Assert.False(old.Revoked);
                    Assert.True(store.Verify("1-" + secret, "CALL", "system.info").Valid);
                }
                Assert.Equal((long)StoreSchema.CurrentVersion, temp.Sql("PRAGMA user_version"));
            }
        }
    }
}
