using System;
using System.Linq;
using Npgsql;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The grants the README gives a verifier role: it verifies keys and records their use and failed verifications, and
    /// cannot create, change or delete keys. A role allowed only to read still verifies every key, and says once that it
    /// cannot record.
    /// </summary>
    public class PostgresRolesTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        [PostgresFact]
        public void A_verifier_role_verifies_and_records_use_but_changes_no_key()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key, old, rotated, spent;
                using (ApiKeyStore admin = temp.Open())
                {
                    key = admin.Create("service", Info);
                    old = admin.Create("rotated", Info);
                    rotated = (IssuedApiKey)admin.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) });
                    spent = admin.Create("spent", Info);
                    spent = (IssuedApiKey)admin.Update(spent.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) });
                }
                // A grace period that ran out, for the verifier to notice.
                temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", UnixTime.ToMilliseconds(DateTime.UtcNow) - 1000), ("id", spent.Id));
                string role = "verifier_" + Guid.NewGuid().ToString("N").Substring(0, 12);
                string password = Guid.NewGuid().ToString("N");
                string schema = PostgresSchema.Quote(temp.Schema);
                // The README's grants for a verifier role, word for word.
                temp.Sql($@"CREATE ROLE {role} LOGIN PASSWORD '{password}';
                    GRANT USAGE ON SCHEMA {schema} TO {role};
                    GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role};
                    GRANT UPDATE (last_used_at, previous_key_last_used_at) ON {schema}.api_keys TO {role};
                    GRANT INSERT ON {schema}.audit_log TO {role};");
                try
                {
                    var builder = new NpgsqlConnectionStringBuilder(TempStore.Server) { Username = role, Password = password };
                    string asVerifier = builder.ConnectionString + ";Schema=" + temp.Schema;
                    using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(asVerifier))
                    {
                        Assert.True(verifier.Verify(key.Key, "CALL", "system.info").Valid);
                        Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('a', 64)).Code);
                        Assert.True(verifier.Verify(old.Key).UsedPreviousKey);
                        Assert.True(verifier.Verify(rotated.Key).Valid);
                        Assert.True(verifier.Verify(spent.Key).Valid);
                    }
                    using (ApiKeyStore store = ApiKeyStore.Open(asVerifier))
                    {
                        Assert.NotNull(store.Get(key.Id).LastUsedAt);
                        // It records the previous key's use, and the end of a grace period that ran out (once).
                        Assert.NotNull(store.Get(old.Id).PreviousKeyLastUsedAt);
                        Assert.Single(store.ReadAuditLog(new[] { spent.Id }), entry => entry.Action == AuditAction.GracePeriodEnded);
                        Assert.Contains(store.ReadAuditLog(), entry => entry.Action == AuditAction.VerificationFailed && entry.KeyId == key.Id);
                        foreach (Action change in new Action[]
                        {
                            () => store.Create("another", Info),
                            () => store.Update(key.Id, new ApiKeyChanges { Name = "renamed" }),
                            () => store.Update(key.Id, new ApiKeyChanges { Reset = true }),
                            () => store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) }),
                            () => store.Revoke(key.Id, "no"),
                            () => store.Delete(key.Id),
                        })
                        {
                            Assert.Equal("StoreReadOnly", Assert.Throws<ApiKeyException>(change).ErrorId);
                        }
                        ApiKey unchanged = store.Get(key.Id);
                        Assert.Equal("service", unchanged.Name);
                        Assert.False(unchanged.Revoked);
                        Assert.Equal(3, store.List().Count());
                    }
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    // The role's grants go with the schema; then nothing holds the role.
                    temp.Sql($"DROP SCHEMA {schema} CASCADE; DROP ROLE {role};");
                }
            }
        }

        [PostgresFact]
        public void A_role_allowed_only_to_read_verifies_every_key_and_says_once_that_it_cannot_record()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey key = temp.CreateKey("service", Info);
                string role = "reader_" + Guid.NewGuid().ToString("N").Substring(0, 12);
                string password = Guid.NewGuid().ToString("N");
                string schema = PostgresSchema.Quote(temp.Schema);
                temp.Sql($@"CREATE ROLE {role} LOGIN PASSWORD '{password}';
                    GRANT USAGE ON SCHEMA {schema} TO {role};
                    GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {role};");
                try
                {
                    var builder = new NpgsqlConnectionStringBuilder(TempStore.Server) { Username = role, Password = password };
                    var reports = new System.Collections.Generic.List<ApiKeyRecordingFailedEventArgs>();
                    using (ApiKeyVerifier verifier = ApiKeyVerifier.Open(builder.ConnectionString + ";Schema=" + temp.Schema, TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(50)))
                    {
                        verifier.RecordingFailed += (sender, e) =>
                        {
                            lock (reports)
                            {
                                reports.Add(e);
                            }
                        };
                        for (int interval = 0; interval < 3; interval++)
                        {
                            for (int i = 0; i < 20; i++)
                            {
                                Assert.Equal(VerificationCode.Valid, verifier.Verify(key.Key, "CALL", "system.info").Code);
                                Assert.Equal(VerificationCode.NotFound, verifier.Verify(key.Id + "-" + new string('a', 64)).Code);
                                Assert.Equal(VerificationCode.Malformed, verifier.Verify("garbage").Code);
                            }
                            System.Threading.Thread.Sleep(600);
                        }
                    }
                    ApiKeyRecordingFailedEventArgs report = Assert.Single(reports);
                    Assert.Equal("StoreReadOnly", report.Error.ErrorId);
                    Assert.DoesNotContain(password, report.ToString());
                    Assert.Equal(1L, temp.Sql("SELECT count(*) FROM audit_log"));
                    Assert.IsType<DBNull>(temp.Sql("SELECT last_used_at FROM api_keys WHERE id = @id", ("id", key.Id)));
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    temp.Sql($"DROP SCHEMA {schema} CASCADE; DROP ROLE {role};");
                }
            }
        }
    }
}