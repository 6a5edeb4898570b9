using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>ApiKeyStore.CopyTo between every pair of store kinds the tests can reach.</summary>
    public class StoreCopyTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        [Fact]
        public void Sqlite_to_sqlite_copies_everything() => CopiesEverything(false, false);

        [PostgresFact]
        public void Sqlite_to_postgres_copies_everything() => CopiesEverything(false, true);

        [PostgresFact]
        public void Postgres_to_sqlite_copies_everything() => CopiesEverything(true, false);

        [PostgresFact]
        public void Postgres_to_postgres_copies_everything() => CopiesEverything(true, true);

        [Fact]
        public void Sqlite_copy_is_one_snapshot_while_the_source_is_written() => CopyIsOneSnapshot(false, false);

        [PostgresFact]
        public void Postgres_copy_is_one_snapshot_while_the_source_is_written() => CopyIsOneSnapshot(true, false);

        [Fact]
        public void Sqlite_destination_with_keys_is_refused_and_unchanged() => DestinationWithKeysIsRefused(false);

        [PostgresFact]
        public void Postgres_destination_with_keys_is_refused_and_unchanged() => DestinationWithKeysIsRefused(true);

        [Fact]
        public void Sqlite_destination_with_only_audit_rows_is_refused() => DestinationWithOnlyAuditRowsIsRefused(false);

        [PostgresFact]
        public void Postgres_destination_with_only_audit_rows_is_refused() => DestinationWithOnlyAuditRowsIsRefused(true);

        [Fact]
        public void A_store_is_not_copied_into_itself()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore source = temp.Open())
            using (ApiKeyStore same = temp.Open())
            {
                var e = Assert.Throws<ApiKeyException>(() => source.CopyTo(same));
                Assert.Equal("DestinationIsSource", e.ErrorId);
                Assert.Empty(same.ReadAuditLog());
            }
        }

        [Fact]
        public void An_empty_store_copies_and_its_copy_starts_ids_at_one()
        {
            using (var from = new TempStore(false))
            using (var to = new TempStore(TempStore.IsPostgres))
            using (ApiKeyStore source = from.Open())
            using (ApiKeyStore destination = to.Open())
            {
                ApiKeyStoreCopy copy = source.CopyTo(destination);
                Assert.Equal((0L, 0L), (copy.Keys, copy.AuditEntries));
                Assert.Equal(1, destination.Create("first", Info).Id);
                Assert.Equal(new[] { AuditAction.Create, AuditAction.Copy }, destination.ReadAuditLog().Select(e => e.Action));
            }
        }

        private static void CopiesEverything(bool fromPostgres, bool toPostgres)
        {
            using (var from = new TempStore(fromPostgres))
            using (var to = new TempStore(toPostgres))
            {
                IssuedApiKey plain, revoked, used;
                int highest;
                var progress = new List<ApiKeyStoreCopyProgress>();
                ApiKeyStoreCopy copy;
                List<ApiKey> sourceKeys;
                List<ApiKeyAuditEntry> sourceLog;
                using (ApiKeyStore source = from.Open())
                {
                    plain = source.Create("plain", Info, DateTime.UtcNow.AddDays(30));
                    revoked = source.Create("Revoked-One", new[] { AllowlistEntry.Create("GET", "/pool/*"), AllowlistEntry.Create("*", "system.*") });
                    source.Revoke(revoked.Id, "leaked in a log");
                    used = source.Create("used", Info);
                    Assert.True(source.Verify(used.Key, "CALL", "system.info").Valid);
                    Assert.False(source.Verify(plain.Key, "GET", "/forbidden").Valid);
                    Thread.Sleep(5);
                    Assert.False(source.Verify(plain.Key, "GET", "/forbidden").Valid);
                    highest = source.Create("deleted", Info).Id;
                    source.Delete(highest);

                    using (ApiKeyStore destination = to.Open())
                    {
                        copy = source.CopyTo(destination, progress.Add);
                    }
                    sourceKeys = source.List().ToList();
                    sourceLog = source.ReadAuditLog().ToList();
                }
                Assert.NotNull(sourceKeys.Single(k => k.Id == used.Id).LastUsedAt);
                Assert.Equal((3L, (long)sourceLog.Count), (copy.Keys, copy.AuditEntries));
                Assert.Equal(new[] { (false, 3L, 3L), (true, (long)sourceLog.Count, (long)sourceLog.Count) },
                    progress.Select(p => (p.IsAuditLog, p.Done, p.Total)));
                Assert.DoesNotContain("Password", copy.Source, StringComparison.OrdinalIgnoreCase);
                Assert.DoesNotContain("Password", copy.Destination, StringComparison.OrdinalIgnoreCase);

                using (ApiKeyStore destination = to.Open())
                {
                    Assert.Equal(copy.DestinationId, destination.Id);
                    Assert.NotEqual(copy.SourceId, destination.Id);
                    List<ApiKey> copied = destination.List().ToList();
                    Assert.Equal(sourceKeys.Select(Shown), copied.Select(Shown));
                    Assert.All(copied, k => Assert.Equal(destination.Id, k.StoreId));

                    List<ApiKeyAuditEntry> log = destination.ReadAuditLog().ToList();
                    ApiKeyAuditEntry copyRow = log[0];
                    Assert.Equal(AuditAction.Copy, copyRow.Action);
                    Assert.Contains(copy.Source, copyRow.Details);
                    Assert.Contains($"{copy.Keys} keys and {copy.AuditEntries} audit entries", copyRow.Details);
                    Assert.DoesNotContain("Password", copyRow.Details, StringComparison.OrdinalIgnoreCase);
                    Assert.True(copyRow.Id > sourceLog.Max(e => e.Id));
                    Assert.Equal(sourceLog.Select(Shown), log.Skip(1).Select(Shown));
                    // Failed verifications counted together stay one entry, with their count and first and last time.
                    ApiKeyAuditEntry failed = log.Single(e => e.Action == AuditAction.VerificationFailed);
                    Assert.Equal(2, failed.Count);
                    Assert.True(failed.LastTime > failed.Time);

                    Assert.True(destination.Verify(used.Key, "CALL", "system.info").Valid);
                    Assert.Equal(VerificationCode.Revoked, destination.Verify(revoked.Key).Code);
                    Assert.True(destination.Verify(plain.Key, "CALL", "system.info").Valid);
                    IssuedApiKey added = destination.Create("added", Info);
                    Assert.Equal(highest + 1, added.Id);
                }
            }
        }

        private static void CopyIsOneSnapshot(bool fromPostgres, bool toPostgres)
        {
            using (var from = new TempStore(fromPostgres))
            using (var to = new TempStore(toPostgres))
            using (ApiKeyStore source = from.Open())
            using (ApiKeyStore writer = from.Open())
            using (ApiKeyStore destination = to.Open())
            {
                source.Create("before", Info);
                bool wrote = false;
                ApiKeyStoreCopy copy = source.CopyTo(destination, p =>
                {
                    if (!wrote)
                    {
                        // Committed by another connection after the snapshot was taken, before the copy reads the audit log.
                        writer.Create("during", Info);
                        wrote = true;
                    }
                });
                Assert.True(wrote);
                Assert.Equal((1L, 1L), (copy.Keys, copy.AuditEntries));
                Assert.Equal(new[] { "before" }, destination.List().Select(k => k.Name));
                Assert.Equal(new[] { AuditAction.Copy, AuditAction.Create }, destination.ReadAuditLog().Select(e => e.Action));
                Assert.Equal(2, source.List().Count());
            }
        }

        private static void DestinationWithKeysIsRefused(bool toPostgres)
        {
            using (var from = new TempStore(false))
            using (var to = new TempStore(toPostgres))
            using (ApiKeyStore source = from.Open())
            using (ApiKeyStore destination = to.Open())
            {
                source.Create("from-source", Info);
                IssuedApiKey own = destination.Create("own", Info);
                var e = Assert.Throws<ApiKeyException>(() => source.CopyTo(destination));
                Assert.Equal("DestinationNotEmpty", e.ErrorId);
                Assert.Equal(ApiKeyErrorCategory.ResourceExists, e.Category);
                Assert.Contains(to.Path_, e.Message);
                Assert.Equal(new[] { "own" }, destination.List().Select(k => k.Name));
                Assert.Equal(new[] { AuditAction.Create }, destination.ReadAuditLog().Select(a => a.Action));
                Assert.True(destination.Verify(own.Key).Valid);
            }
        }

        private static void DestinationWithOnlyAuditRowsIsRefused(bool toPostgres)
        {
            using (var from = new TempStore(false))
            using (var to = new TempStore(toPostgres))
            using (ApiKeyStore source = from.Open())
            using (ApiKeyStore destination = to.Open())
            {
                source.Create("from-source", Info);
                destination.Delete(destination.Create("gone", Info).Id);
                var e = Assert.Throws<ApiKeyException>(() => source.CopyTo(destination));
                Assert.Equal("DestinationNotEmpty", e.ErrorId);
                Assert.Empty(destination.List());
                Assert.Equal(new[] { AuditAction.Delete, AuditAction.Create }, destination.ReadAuditLog().Select(a => a.Action));
            }
        }

        private static string Shown(ApiKey k) =>
            string.Join("|", k.Id, k.Name, k.CreatedAt.Ticks, string.Join(",", k.Allowlist), k.ExpiresAt?.Ticks, k.Revoked, k.RevokedReason, k.LastUsedAt?.Ticks);

        private static string Shown(ApiKeyAuditEntry e) =>
            string.Join("|", e.Id, e.Time.Ticks, e.LastTime?.Ticks, e.Count, e.Action, e.KeyId, e.KeyName, e.OldValue, e.NewValue, e.Details, e.User, e.Host, e.ProcessId);
    }
}
