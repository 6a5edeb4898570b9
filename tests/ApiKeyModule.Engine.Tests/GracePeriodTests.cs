using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// Resets with a grace period: the replaced key keeps working beside the new one until the grace period ends, and
    /// stops at once on a revocation, another reset or the deletion; each end is audited once.
    /// </summary>
    public class GracePeriodTests
    {
        private static readonly AllowlistEntry[] SystemAll = { AllowlistEntry.Create("CALL", "system.*") };
        private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

        [Fact]
        public void After_a_reset_with_a_grace_period_the_new_key_works_at_once_and_the_previous_one_until_the_end()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                Assert.True(store.Verify(old.Key).Valid);
                DateTime before = DateTime.UtcNow;
                var fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                DateTime after = DateTime.UtcNow;

                DateTime end = fresh.PreviousKeyExpiresAt.Value;
                Assert.InRange(end, before.AddHours(1).AddMilliseconds(-1), after.AddHours(1));
                Assert.Null(fresh.PreviousKeyLastUsedAt);

                ApiKeyVerification byNew = store.Verify(fresh.Key, "CALL", "system.info");
                Assert.True(byNew.Valid);
                Assert.False(byNew.UsedPreviousKey);
                Assert.Equal(end, byNew.PreviousKeyExpiresAt);

                ApiKeyVerification byOld = store.Verify(old.Key, "CALL", "system.info");
                Assert.True(byOld.Valid);
                Assert.True(byOld.UsedPreviousKey);
                Assert.Equal(end, byOld.PreviousKeyExpiresAt);
                Assert.Equal((old.Id, "svc"), (byOld.Id.Value, byOld.Name));
                Assert.Equal("CALL system.*", byOld.AllowedBy.ToString());

                // The allowlist holds for the previous key too, and a refusal says which key it was.
                ApiKeyVerification forbidden = store.Verify(old.Key, "CALL", "disk.info");
                Assert.Equal(VerificationCode.Forbidden, forbidden.Code);
                Assert.True(forbidden.UsedPreviousKey);

                ApiKey read = store.Get(old.Id);
                Assert.Equal(end, read.PreviousKeyExpiresAt);
                ApiKeyAuditEntry reset = Changes(store, old.Id).First();
                Assert.Equal(AuditAction.Reset, reset.Action);
                Assert.Equal($"The previous key works until {UnixTime.Show(end)}.", reset.Details);

                // A wrong secret is still refused, and a key without a grace period shows none.
                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Id + "-" + new string('x', 64)).Code);
                IssuedApiKey plain = store.Create("plain", SystemAll);
                Assert.Null(store.Verify(plain.Key).PreviousKeyExpiresAt);
                Assert.Null(store.Get(plain.Id).PreviousKeyExpiresAt);
            }
        }

        [Fact]
        public void A_use_of_the_previous_key_is_recorded_to_within_a_minute_without_a_write_per_verification()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey old, fresh;
                using (ApiKeyStore store = temp.Open())
                {
                    old = store.Create("svc", SystemAll);
                    fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                    Assert.True(store.Verify(old.Key).UsedPreviousKey);
                    // Recorded in memory: another connection does not see it yet...
                    Assert.IsType<DBNull>(temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)));
                    // ...this store reads it back (it writes what it recorded first).
                    ApiKey read = store.Get(old.Id);
                    Assert.NotNull(read.PreviousKeyLastUsedAt);
                    Assert.Equal(read.PreviousKeyLastUsedAt, read.LastUsedAt);
                    for (int i = 0; i < 50; i++)
                    {
                        Assert.True(store.Verify(old.Key).Valid);
                    }
                    Assert.Equal(read.PreviousKeyLastUsedAt, store.Get(old.Id).PreviousKeyLastUsedAt);
                }
                // Two minutes later, as seen from a new process: the next use is recorded again, written when the store closes.
                temp.Sql("UPDATE api_keys SET previous_key_last_used_at = previous_key_last_used_at - 120000 WHERE id = @id", ("id", old.Id));
                long rewound = (long)temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id));
                using (ApiKeyStore store = temp.Open())
                {
                    Assert.True(store.Verify(old.Key).Valid);
                    Assert.Equal(rewound, (long)temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)));
                    // A use of the new key is no use of the previous one.
                    Assert.True(store.Verify(fresh.Key).Valid);
                }
                Assert.True((long)temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)) > rewound + 100_000);
            }
        }

        [Fact]
        public void A_revocation_ends_the_grace_period_at_once_and_audits_it_with_the_revocation()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                var fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                Assert.True(store.Verify(old.Key).Valid);
                store.Revoke(old.Id, "leaked");

                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Key).Code);
                Assert.Equal(VerificationCode.Revoked, store.Verify(fresh.Key).Code);
                ApiKey read = store.Get(old.Id);
                Assert.Null(read.PreviousKeyExpiresAt);
                Assert.Null(read.PreviousKeyLastUsedAt);
                AssertNoPreviousSecret(temp, old.Id);

                List<ApiKeyAuditEntry> log = Changes(store, old.Id).ToList();
                Assert.Equal(new[] { AuditAction.Revoke, AuditAction.GracePeriodEnded, AuditAction.Reset, AuditAction.Create }, log.Select(e => e.Action));
                Assert.StartsWith($"Ended early by the revocation: the previous key stops working now, not at {UnixTime.Show(fresh.PreviousKeyExpiresAt)}. It was last used at ", log[1].Details);

                // A revoked key has no working secret to keep: a reset of it with a grace period is refused.
                var e = Assert.Throws<ApiKeyException>(() => store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour }));
                Assert.Equal(("GracePeriodForInactiveKey", ApiKeyErrorCategory.InvalidArgument), (e.ErrorId, e.Category));
                Assert.Equal(VerificationCode.Revoked, store.Verify(fresh.Key).Code);
                Assert.Equal(4, Changes(store, old.Id).Count());
            }
        }

        [Fact]
        public void A_reset_without_a_grace_period_ends_both_older_keys_and_one_with_a_grace_period_replaces_the_previous_key()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey first = store.Create("svc", SystemAll);
                var second = (IssuedApiKey)store.Update(first.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                var third = (IssuedApiKey)store.Update(first.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromMinutes(30) });

                // At most one previous key: the second, until the end of the new grace period.
                Assert.Equal(VerificationCode.NotFound, store.Verify(first.Key).Code);
                Assert.True(store.Verify(second.Key).UsedPreviousKey);
                Assert.True(store.Verify(third.Key).Valid);
                Assert.Equal(third.PreviousKeyExpiresAt, store.Get(first.Id).PreviousKeyExpiresAt);
                Assert.True(third.PreviousKeyExpiresAt < second.PreviousKeyExpiresAt);
                ApiKeyAuditEntry replaced = Changes(store, first.Id).ElementAt(1);
                Assert.Equal(AuditAction.GracePeriodEnded, replaced.Action);
                Assert.StartsWith("Ended early by a reset with a new grace period: ", replaced.Details);

                var fourth = (IssuedApiKey)store.Update(first.Id, new ApiKeyChanges { Reset = true });
                Assert.Equal(VerificationCode.NotFound, store.Verify(second.Key).Code);
                Assert.Equal(VerificationCode.NotFound, store.Verify(third.Key).Code);
                Assert.True(store.Verify(fourth.Key).Valid);
                Assert.Null(fourth.PreviousKeyExpiresAt);
                AssertNoPreviousSecret(temp, first.Id);
                List<ApiKeyAuditEntry> log = Changes(store, first.Id).Take(2).ToList();
                Assert.Equal(new[] { AuditAction.Reset, AuditAction.GracePeriodEnded }, log.Select(e => e.Action));
                Assert.Null(log[0].Details);
                Assert.StartsWith("Ended early by a reset: ", log[1].Details);
                Assert.Contains(". It was last used at ", log[1].Details);
            }
        }

        [Fact]
        public void A_deletion_ends_the_grace_period_in_the_same_transaction()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                store.Delete(old.Id);
                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Key).Code);
                List<ApiKeyAuditEntry> log = Changes(store, old.Id).ToList();
                Assert.Equal(new[] { AuditAction.Delete, AuditAction.GracePeriodEnded }, log.Take(2).Select(e => e.Action));
                Assert.StartsWith("Ended early by the deletion: ", log[1].Details);
            }
        }

        [Fact]
        public void A_grace_period_runs_out_on_its_own()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                var fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromSeconds(1) });
                Assert.True(store.Verify(old.Key).Valid);
                System.Threading.Thread.Sleep(1100);
                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Key).Code);
                ApiKeyVerification byNew = store.Verify(fresh.Key);
                Assert.True(byNew.Valid);
                Assert.Null(byNew.PreviousKeyExpiresAt);
                Assert.Null(store.Get(old.Id).PreviousKeyExpiresAt);
            }
        }

        [Fact]
        public void The_end_of_a_grace_period_that_ran_out_is_audited_once_by_the_first_store_that_verifies_the_key()
        {
            using (var temp = new TempStore())
            {
                IssuedApiKey old, fresh;
                long end;
                using (ApiKeyStore admin = temp.Open())
                {
                    old = admin.Create("svc", SystemAll);
                    fresh = (IssuedApiKey)admin.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                    Assert.True(admin.Verify(old.Key).Valid);
                }
                end = RunOut(temp, old.Id);
                ApiKeyStore first = temp.Open(), second = temp.Open();
                try
                {
                    Assert.Equal(VerificationCode.NotFound, first.Verify(old.Key).Code);
                    Assert.True(first.Verify(fresh.Key).Valid);
                    Assert.True(second.Verify(fresh.Key).Valid);
                    // Noticed, not yet written: no durable write per verification.
                    Assert.Equal(0L, CountEnds(temp, old.Id));
                }
                finally
                {
                    first.Dispose();
                }
                try
                {
                    Assert.Equal(1L, CountEnds(temp, old.Id));
                    ApiKeyAuditEntry ended = Changes(second, old.Id).First();
                    Assert.Equal(AuditAction.GracePeriodEnded, ended.Action);
                    Assert.Equal("svc", ended.KeyName);
                    Assert.StartsWith($"The grace period ran out: the previous key stopped working at {UnixTime.Show(UnixTime.FromMilliseconds(end))}. It was last used at ",
                        ended.Details);
                }
                finally
                {
                    // It noticed the end too, and finds it recorded.
                    second.Dispose();
                }
                Assert.Equal(1L, CountEnds(temp, old.Id));
                using (ApiKeyStore again = temp.Open())
                {
                    Assert.True(again.Verify(fresh.Key).Valid);
                    again.Update(old.Id, new ApiKeyChanges { Name = "renamed" });
                    Assert.Equal(1L, CountEnds(temp, old.Id));
                    // The change removed the spent secret from the row.
                    AssertNoPreviousSecret(temp, old.Id);
                    Assert.Equal(AuditAction.Rename, Changes(again, old.Id).First().Action);
                }
                Assert.Equal(1L, CountEnds(temp, old.Id));
            }
        }

        [Fact]
        public void The_end_of_a_grace_period_that_ran_out_is_audited_by_the_next_change_to_the_key_in_its_transaction()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll);
                store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                RunOut(temp, old.Id);
                store.Update(old.Id, new ApiKeyChanges { Allowlist = new[] { AllowlistEntry.Create("GET", "/pool") } });
                List<ApiKeyAuditEntry> log = Changes(store, old.Id).ToList();
                Assert.Equal(new[] { AuditAction.SetAllowlist, AuditAction.GracePeriodEnded, AuditAction.Reset }, log.Take(3).Select(e => e.Action));
                Assert.StartsWith("The grace period ran out: ", log[1].Details);
                Assert.EndsWith("It was not used after the reset.", log[1].Details);
                AssertNoPreviousSecret(temp, old.Id);
            }
        }

        [Fact]
        public void An_earlier_expiry_ends_the_grace_period_then_too()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey old = store.Create("svc", SystemAll, DateTime.UtcNow.AddDays(10));
                var fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromDays(2) });
                DateTime sooner = UnixTime.Normalize(DateTime.UtcNow.AddHours(1));
                ApiKey shortened = store.Update(old.Id, new ApiKeyChanges { ExpiresAt = sooner });
                Assert.Equal(sooner, shortened.PreviousKeyExpiresAt);
                Assert.Equal(sooner, store.Get(old.Id).PreviousKeyExpiresAt);
                Assert.True(store.Verify(old.Key).UsedPreviousKey);
                ApiKeyAuditEntry setExpiry = Changes(store, old.Id).First();
                Assert.Equal(AuditAction.SetExpiry, setExpiry.Action);
                Assert.Equal($"The previous key now stops working then too, not at {UnixTime.Show(fresh.PreviousKeyExpiresAt)}.", setExpiry.Details);
                // A later expiry does not lengthen it.
                store.Update(old.Id, new ApiKeyChanges { NeverExpires = true });
                Assert.Equal(sooner, store.Get(old.Id).PreviousKeyExpiresAt);
            }
        }

        [Theory]
        [InlineData(-3_600_000L, "InvalidGracePeriod")]
        [InlineData(0L, "InvalidGracePeriod")]
        [InlineData(999L, "InvalidGracePeriod")]
        [InlineData(30L * 86_400_000 + 1, "InvalidGracePeriod")]
        [InlineData(3_600_000L, "GracePeriodWithoutReset")]
        public void A_grace_period_that_is_not_one_to_honour_is_refused_and_changes_nothing(long milliseconds, string errorId)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                bool reset = errorId != "GracePeriodWithoutReset";
                var e = Assert.Throws<ApiKeyException>(() => store.Update(key.Id, new ApiKeyChanges { Reset = reset, GracePeriod = TimeSpan.FromMilliseconds(milliseconds) }));
                Assert.Equal((errorId, ApiKeyErrorCategory.InvalidArgument), (e.ErrorId, e.Category));
                Assert.True(store.Verify(key.Key).Valid);
                Assert.Null(store.Get(key.Id).PreviousKeyExpiresAt);
                Assert.Single(store.ReadAuditLog());
            }
        }

        [Fact]
        public void The_longest_grace_period_is_30_days_and_the_shortest_a_second()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                var month = (IssuedApiKey)store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromDays(30) });
                Assert.InRange(month.PreviousKeyExpiresAt.Value, DateTime.UtcNow.AddDays(30).AddSeconds(-5), DateTime.UtcNow.AddDays(30));
                var second = (IssuedApiKey)store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromSeconds(1) });
                Assert.True(store.Verify(month.Key).UsedPreviousKey);
                Assert.True(store.Verify(second.Key).Valid);
            }
        }

        [Fact]
        public void A_grace_period_past_the_keys_expiry_is_refused_unless_the_reset_moves_the_expiry()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll, DateTime.UtcNow.AddHours(1));
                var e = Assert.Throws<ApiKeyException>(() => store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(2) }));
                Assert.Equal(("GracePeriodBeyondExpiry", ApiKeyErrorCategory.InvalidArgument), (e.ErrorId, e.Category));
                // The key's remaining life, to the second: a whole hour when the reset comes in the same millisecond as the creation.
                Assert.Matches(@"Give at most (00:59:5\d|01:00:00),", e.Message);
                Assert.True(store.Verify(key.Key).Valid);
                Assert.Single(store.ReadAuditLog());

                var moved = (IssuedApiKey)store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(2), ExpiresAt = DateTime.UtcNow.AddDays(1) });
                Assert.True(store.Verify(key.Key).UsedPreviousKey);
                Assert.True(store.Verify(moved.Key).Valid);
            }
        }

        [Fact]
        public void An_expired_key_cannot_be_reset_with_a_grace_period()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll, DateTime.UtcNow.AddMilliseconds(200));
                System.Threading.Thread.Sleep(300);
                var e = Assert.Throws<ApiKeyException>(() =>
                    store.Update(key.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour, ExpiresAt = DateTime.UtcNow.AddDays(1) }));
                Assert.Equal("GracePeriodForInactiveKey", e.ErrorId);
                Assert.Equal(VerificationCode.Expired, store.Verify(key.Key).Code);
            }
        }

        public enum Writer { SameStore, OtherStore }

        [Theory]
        [InlineData(Writer.SameStore)]
        [InlineData(Writer.OtherStore)]
        public void A_verifier_follows_a_rotation_and_its_end_at_once(Writer writer)
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            using (ApiKeyStore other = temp.Open())
            {
                ApiKeyStore changer = writer == Writer.SameStore ? store : other;
                IssuedApiKey old = store.Create("svc", SystemAll);
                Assert.True(store.Verify(old.Key).Valid);
                var fresh = (IssuedApiKey)changer.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                Assert.True(store.Verify(old.Key).UsedPreviousKey);
                Assert.False(store.Verify(fresh.Key).UsedPreviousKey);
                var newest = (IssuedApiKey)changer.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                Assert.Equal(VerificationCode.NotFound, store.Verify(old.Key).Code);
                Assert.True(store.Verify(fresh.Key).UsedPreviousKey);
                changer.Revoke(old.Id, null);
                Assert.Equal(VerificationCode.NotFound, store.Verify(fresh.Key).Code);
                Assert.Equal(VerificationCode.Revoked, store.Verify(newest.Key).Code);
            }
        }

        [Fact]
        public void A_verifier_follows_an_end_written_by_another_tool()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore admin = temp.Open())
            using (ApiKeyVerifier verifier = temp.OpenVerifier())
            {
                IssuedApiKey old = admin.Create("svc", SystemAll);
                admin.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                Assert.True(verifier.Verify(old.Key).UsedPreviousKey);
                RunOut(temp, old.Id);
                // SQLite: the next verification; PostgreSQL: another client of the server, announced within a second.
                Within.OneSecond(() => Assert.Equal(VerificationCode.NotFound, verifier.Verify(old.Key).Code));
                if (!TempStore.IsPostgres)
                {
                    temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", UnixTime.ToMilliseconds(DateTime.UtcNow) + 60_000), ("id", old.Id));
                    Assert.True(verifier.Verify(old.Key).UsedPreviousKey);
                }
            }
        }

        [Fact]
        public void A_verifier_on_many_threads_records_each_use_of_a_previous_key_and_each_end_once()
        {
            using (var temp = new TempStore())
            {
                var inGrace = new List<(IssuedApiKey Old, IssuedApiKey Fresh)>();
                var ranOut = new List<(IssuedApiKey Old, IssuedApiKey Fresh)>();
                using (ApiKeyStore admin = temp.Open())
                {
                    for (int i = 0; i < 8; i++)
                    {
                        IssuedApiKey old = admin.Create("svc" + i, SystemAll);
                        var fresh = (IssuedApiKey)admin.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                        (i % 2 == 0 ? inGrace : ranOut).Add((old, fresh));
                    }
                }
                foreach ((IssuedApiKey old, IssuedApiKey _) in ranOut)
                {
                    RunOut(temp, old.Id);
                }
                using (ApiKeyVerifier verifier = temp.OpenVerifier())
                {
                    // Every thread verifies every key, while one of them also writes what was recorded, over and over:
                    // records made and taken at once must neither be lost nor written twice.
                    Exception[] errors = Threads.AtOnce(4, thread =>
                    {
                        for (int round = 0; round < 50; round++)
                        {
                            foreach ((IssuedApiKey old, IssuedApiKey fresh) in inGrace)
                            {
                                ApiKeyVerification result = verifier.Verify(old.Key, "CALL", "system.info");
                                Assert.True(result.Valid && result.UsedPreviousKey, $"the previous key of {old.Id}: {result.Code}");
                            }
                            foreach ((IssuedApiKey old, IssuedApiKey fresh) in ranOut)
                            {
                                Assert.True(verifier.Verify(fresh.Key).Valid);
                                Assert.Equal(VerificationCode.NotFound, verifier.Verify(old.Key).Code);
                            }
                            if (thread == 0)
                            {
                                verifier.Store.FlushRecorded();
                            }
                        }
                    });
                    Assert.Empty(errors);
                }
                foreach ((IssuedApiKey old, IssuedApiKey _) in inGrace)
                {
                    Assert.IsNotType<DBNull>(temp.Sql("SELECT previous_key_last_used_at FROM api_keys WHERE id = @id", ("id", old.Id)));
                    Assert.Equal(0L, CountEnds(temp, old.Id));
                }
                foreach ((IssuedApiKey old, IssuedApiKey _) in ranOut)
                {
                    Assert.Equal(1L, CountEnds(temp, old.Id));
                }
            }
        }

        [Fact]
        public void A_copied_store_keeps_the_grace_period_working()
        {
            // Into the other kind of store when there is a server; the copy code is the same in either direction.
            foreach ((bool fromPostgres, bool toPostgres) in TempStore.IsPostgres ? new[] { (false, true), (true, false) } : new[] { (false, false) })
            {
                using (var from = new TempStore(fromPostgres))
                using (var to = new TempStore(toPostgres))
                {
                    IssuedApiKey old, fresh;
                    ApiKey source;
                    using (ApiKeyStore store = from.Open())
                    {
                        old = store.Create("svc", SystemAll);
                        fresh = (IssuedApiKey)store.Update(old.Id, new ApiKeyChanges { Reset = true, GracePeriod = Hour });
                        Assert.True(store.Verify(old.Key).Valid);
                        using (ApiKeyStore destination = to.Open())
                        {
                            store.CopyTo(destination);
                        }
                        source = store.Get(old.Id);
                    }
                    Assert.NotNull(source.PreviousKeyLastUsedAt);
                    using (ApiKeyStore copy = to.Open())
                    {
                        ApiKey copied = copy.Get(old.Id);
                        Assert.Equal((source.PreviousKeyExpiresAt, source.PreviousKeyLastUsedAt), (copied.PreviousKeyExpiresAt, copied.PreviousKeyLastUsedAt));
                        ApiKeyVerification byOld = copy.Verify(old.Key);
                        Assert.True(byOld.UsedPreviousKey);
                        Assert.Equal(source.PreviousKeyExpiresAt, byOld.PreviousKeyExpiresAt);
                        Assert.True(copy.Verify(fresh.Key).Valid);
                        copy.Revoke(old.Id, null);
                        Assert.Equal(VerificationCode.NotFound, copy.Verify(old.Key).Code);
                    }
                }
            }
        }

        [Theory]
        [InlineData("1.00:00:00", 86_400)]
        [InlineData("01:00:00", 3_600)]
        [InlineData(" 00:00:30 ", 30)]
        [InlineData("P1D", 86_400)]
        [InlineData("PT12H", 43_200)]
        [InlineData("pt90s", 90)]
        [InlineData("P1W", 604_800)]
        [InlineData("P1DT1H1M1.5S", 90_061.5)]
        public void A_duration_reads_as_d_hh_mm_ss_or_iso_8601(string text, double seconds)
        {
            Assert.True(GraceRules.TryParse(text, out TimeSpan grace));
            Assert.Equal(TimeSpan.FromSeconds(seconds), grace);
        }

        [Theory]
        [InlineData("soon")]
        [InlineData("P")]
        [InlineData("PT")]
        [InlineData("P1Y")]
        [InlineData("P1M")]
        [InlineData("1 day")]
        [InlineData("")]
        public void Text_that_is_not_a_duration_is_refused(string text)
        {
            Assert.False(GraceRules.TryParse(text, out _));
            var e = Assert.Throws<ApiKeyException>(() => GraceRules.Parse(text, "line 1"));
            Assert.Equal("InvalidGracePeriod", e.ErrorId);
        }

        [Fact]
        public void No_text_is_no_duration()
        {
            Assert.False(GraceRules.TryParse(null, out TimeSpan grace));
            Assert.Equal(TimeSpan.Zero, grace);
        }

        [Theory]
        [InlineData(86_400_000L, "1.00:00:00")]
        [InlineData(30_000L, "00:00:30")]
        [InlineData(500L, "00:00:00.5000000")]
        public void A_duration_is_shown_in_timespans_invariant_form(long milliseconds, string shown)
        {
            Assert.Equal(shown, GraceRules.Show(TimeSpan.FromMilliseconds(milliseconds)));
        }

        [Fact]
        public void A_huge_iso_duration_is_too_long_not_an_overflow()
        {
            Assert.True(GraceRules.TryParse("P999999999D", out TimeSpan grace));
            Assert.Equal("InvalidGracePeriod", Assert.Throws<ApiKeyException>(() => GraceRules.Validate(grace, true)).ErrorId);
        }

        [Fact]
        public void The_key_document_offers_the_grace_period_next_to_reset()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                IssuedApiKey key = store.Create("svc", SystemAll);
                string template = KeyDocument.Template(store.Get(key.Id));
                Assert.Contains("reset: false\n# Duration: with reset: true, how long the current key keeps working", template);
                Assert.EndsWith("\ngrace_period: null\n", template);
                Assert.DoesNotContain("grace_period", KeyDocument.Template());
                Assert.DoesNotContain("previous key works until", template);

                KeySpec spec = KeyDocument.Parse(template.Replace("reset: false", "reset: true").Replace("grace_period: null", "grace_period: P1D"), forExistingKey: true);
                Assert.Equal(TimeSpan.FromDays(1), spec.GracePeriod);
                var fresh = (IssuedApiKey)store.Update(key.Id, spec.ChangesFrom(store.Get(key.Id)));
                Assert.True(store.Verify(key.Key).UsedPreviousKey);
                Assert.True(store.Verify(fresh.Key).Valid);
                Assert.Contains($"# Its previous key works until {UnixTime.Show(fresh.PreviousKeyExpiresAt)}; ", KeyDocument.Template(store.Get(key.Id)));
                Assert.Equal(TimeSpan.FromHours(36), KeyDocument.Parse("reset: true\ngrace_period: 1.12:00:00", true).GracePeriod);
                Assert.Null(KeyDocument.Parse("reset: true\ngrace_period: null", true).GracePeriod);
            }
        }

        [Theory]
        [InlineData("reset: false\ngrace_period: P1D", "GracePeriodWithoutReset")]
        [InlineData("grace_period: P1D", "GracePeriodWithoutReset")]
        [InlineData("reset: true\ngrace_period: P31D", "InvalidGracePeriod")]
        [InlineData("reset: true\ngrace_period: -01:00:00", "InvalidGracePeriod")]
        [InlineData("reset: true\ngrace_period: tomorrow", "InvalidGracePeriod")]
        [InlineData("reset: true\ngrace_period: [P1D]", "InvalidKeyDocument")]
        public void A_key_document_with_a_grace_period_not_to_honour_is_refused(string document, string errorId)
        {
            Assert.Equal(errorId, Assert.Throws<ApiKeyException>(() => KeyDocument.Parse(document, true)).ErrorId);
        }

        [Fact]
        public void A_new_key_document_has_no_grace_period()
        {
            Assert.Equal("InvalidKeyDocument", Assert.Throws<ApiKeyException>(() => KeyDocument.Parse("name: k\ngrace_period: P1D", false)).ErrorId);
        }

        /// <summary>Ends the key's previous secret a second ago, as time would; returns that end (ms).</summary>
        private static long RunOut(TempStore temp, int id)
        {
            long end = UnixTime.ToMilliseconds(DateTime.UtcNow) - 1000;
            temp.Sql("UPDATE api_keys SET previous_key_expires_at = @at WHERE id = @id", ("at", end), ("id", id));
            return end;
        }

        /// <summary>The key's audit rows, newest first, without failed verifications (whose writing is not what these tests check).</summary>
        private static IEnumerable<ApiKeyAuditEntry> Changes(ApiKeyStore store, int id) =>
            store.ReadAuditLog(new[] { id }).Where(e => e.Action != AuditAction.VerificationFailed);

        private static long CountEnds(TempStore temp, int id) =>
            Convert.ToInt64(temp.Sql("SELECT count(*) FROM audit_log WHERE key_id = @id AND action = 'GracePeriodEnded'", ("id", id)));

        private static void AssertNoPreviousSecret(TempStore temp, int id)
        {
            Assert.Equal(0L, Convert.ToInt64(temp.Sql(
                "SELECT count(*) FROM api_keys WHERE id = @id AND (previous_key_hash IS NOT NULL OR previous_key_expires_at IS NOT NULL OR previous_key_last_used_at IS NOT NULL)",
                ("id", id))));
        }
    }
}
