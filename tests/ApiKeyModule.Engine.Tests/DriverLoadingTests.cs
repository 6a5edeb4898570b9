using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>Npgsql and its dependencies load only when a PostgreSQL store is opened (Windows PowerShell has trouble with them).</summary>
    public class DriverLoadingTests
    {
        /// <summary>The engine and everything it loads from the test's folder, apart from this process (which other tests share).</summary>
        private sealed class Isolated : AssemblyLoadContext
        {
            public Isolated()
                : base("sqlite-only", isCollectible: true)
            {
            }

            protected override Assembly Load(AssemblyName name)
            {
                string path = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
                return File.Exists(path) && !name.Name.StartsWith("System.", StringComparison.Ordinal) ? LoadFromAssemblyPath(path) : null;
            }
        }

        [Fact]
        public void Using_a_sqlite_store_loads_no_PostgreSQL_driver()
        {
            string folder = Path.Combine(Path.GetTempPath(), "apikeymodule-xunit-" + Guid.NewGuid().ToString("N"));
            var context = new Isolated();
            try
            {
                Assembly engine = context.LoadFromAssemblyPath(typeof(ApiKeyStore).Assembly.Location);
                Type storeType = engine.GetType("ApiKeyModule.ApiKeyStore", true);
                object store = storeType.GetMethod("Open", new[] { typeof(string), typeof(TimeSpan?) }).Invoke(null, new object[] { Path.Combine(folder, "apikeys.db"), null });
                try
                {
                    Array none = Array.CreateInstance(engine.GetType("ApiKeyModule.AllowlistEntry", true), 0);
                    object issued = storeType.GetMethod("Create").Invoke(store, new object[] { "k", none, null });
                    string key = (string)issued.GetType().GetProperty("Key").GetValue(issued);
                    object verification = storeType.GetMethod("Verify").Invoke(store, new object[] { key, null, null });
                    Assert.True((bool)verification.GetType().GetProperty("Valid").GetValue(verification));
                    Assert.Single(((System.Collections.IEnumerable)storeType.GetMethod("List").Invoke(store, null)).Cast<object>());
                }
                finally
                {
                    ((IDisposable)store).Dispose();
                    // That context's pool, not this process's: other tests' stores stay open.
                    context.LoadFromAssemblyName(new AssemblyName("Microsoft.Data.Sqlite"))
                        .GetType("Microsoft.Data.Sqlite.SqliteConnection", true).GetMethod("ClearAllPools").Invoke(null, null);
                }
                string[] loaded = context.Assemblies.Select(a => a.GetName().Name).ToArray();
                Assert.Contains("Microsoft.Data.Sqlite", loaded);
                Assert.DoesNotContain("Npgsql", loaded);
            }
            finally
            {
                context.Unload();
                try { Directory.Delete(folder, true); } catch (IOException) { }
            }
        }
    }
}
