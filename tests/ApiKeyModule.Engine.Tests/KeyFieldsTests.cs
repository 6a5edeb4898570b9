using System;
using System.Collections;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// A field added to keys must reach every place a key goes. These tests read the fields from the type, so a new one
    /// is compared without a change here, and <see cref="Every_field_is_given_a_value_here"/> fails until the keys
    /// below give it one.
    /// </summary>
    public class KeyFieldsTests
    {
        private static readonly AllowlistEntry[] Info = { AllowlistEntry.Create("CALL", "system.info") };

        // Where a key was read is not a field of the key: a copy or another store has its own.
        private static readonly PropertyInfo[] Fields = typeof(ApiKey).GetProperties()
            .Where(p => p.Name != nameof(ApiKey.StoreId) && p.Name != nameof(ApiKey.Store))
            .ToArray();

        [Fact]
        public void Every_field_is_given_a_value_here()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                ApiKey[] keys = MakeKeysWithEveryField(store);
                foreach (PropertyInfo field in Fields)
                {
                    Assert.True(keys.Any(k => HasValue(field.GetValue(k))), $"No key of this test gives {field.Name} a value: give one in MakeKeysWithEveryField.");
                }
            }
        }

        [Fact]
        public void A_copied_store_holds_every_field_of_every_key()
        {
            using (var from = new TempStore())
            using (var to = new TempStore())
            {
                using (ApiKeyStore source = from.Open())
                {
                    MakeKeysWithEveryField(source);
                }
                using (ApiKeyStore source = from.Open())
                using (ApiKeyStore destination = to.Open())
                {
                    source.CopyTo(destination);
                    Assert.Equal(source.List().Select(Shown), destination.List().Select(Shown));
                }
            }
        }

        [Fact]
        public void What_a_change_returns_has_every_field_the_store_then_holds()
        {
            using (var temp = new TempStore())
            using (ApiKeyStore store = temp.Open())
            {
                int id = MakeKeysWithEveryField(store).Single(k => k.PreviousKeyExpiresAt != null).Id;
                ApiKey reset = store.Update(id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromHours(1) });
                Assert.IsType<IssuedApiKey>(reset);
                Assert.Equal(Shown(store.Get(id)), Shown(reset));
                ApiKey renamed = store.Update(id, new ApiKeyChanges { Name = "graced-renamed" });
                Assert.Equal(Shown(store.Get(id)), Shown(renamed));
            }
        }

        /// <summary>Keys that between them give every field a value: an expiry, a revocation with its reason, last uses, a previous key in its grace period and its use.</summary>
        private static ApiKey[] MakeKeysWithEveryField(ApiKeyStore store)
        {
            IssuedApiKey graced = store.Create("graced", Info, DateTime.UtcNow.AddDays(30));
            Assert.True(store.Verify(graced.Key, "CALL", "system.info").Valid);
            IssuedApiKey replacement = (IssuedApiKey)store.Update(graced.Id, new ApiKeyChanges { Reset = true, GracePeriod = TimeSpan.FromDays(1) });
            Assert.True(store.Verify(graced.Key, "CALL", "system.info").UsedPreviousKey);
            Assert.True(store.Verify(replacement.Key, "CALL", "system.info").Valid);
            IssuedApiKey revoked = store.Create("revoked", Info);
            store.Revoke(revoked.Id, "leaked in a log");
            store.FlushRecorded();
            return store.List().ToArray();
        }

        private static bool HasValue(object value)
        {
            switch (value)
            {
                case null: return false;
                case bool b: return b;
                case string s: return s.Length > 0;
                case ICollection c: return c.Count > 0;
                case ValueType v: return !v.Equals(Activator.CreateInstance(v.GetType()));
                default: return true;
            }
        }

        private static string Shown(ApiKey key) => string.Join("|", Fields.Select(field => Show(field.GetValue(key))));

        private static string Show(object value)
        {
            switch (value)
            {
                case DateTime time: return time.Ticks.ToString(CultureInfo.InvariantCulture);
                case IEnumerable list when !(value is string): return string.Join(",", list.Cast<object>());
                default: return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }
    }
}
