using System;
using System.IO;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule.Tests
{
    /// <summary>A store file in a folder of its own, deleted afterwards.</summary>
    internal sealed class TempStore : IDisposable
    {
        public TempStore()
        {
            Folder = Path.Combine(Path.GetTempPath(), "apikeymodule-xunit-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Folder);
            Path_ = System.IO.Path.Combine(Folder, "sub", "apikeys.db");
        }

        public string Folder { get; }
        public string Path_ { get; }

        public ApiKeyStore Open() => ApiKeyStore.Open(Path_);

        /// <summary>Runs SQL on the file directly, as another tool would.</summary>
        public object Sql(string sql)
        {
            using (var connection = new SqliteConnection("Data Source=" + Path_ + ";Pooling=False"))
            {
                connection.Open();
                using (SqliteCommand command = connection.CreateCommand())
                {
                    command.CommandText = sql;
                    return command.ExecuteScalar();
                }
            }
        }

        public void Dispose()
        {
            SqliteConnection.ClearAllPools();
            try { Directory.Delete(Folder, true); } catch (IOException) { }
        }
    }
}
