using Xunit;

namespace ApiKeyModule.Tests
{
    /// <summary>A test of the store file itself (its bytes, mode, path, SQLite's own SQL): skipped on PostgreSQL.</summary>
    public sealed class SqliteOnlyFactAttribute : FactAttribute
    {
        public SqliteOnlyFactAttribute(string why)
        {
            if (TempStore.IsPostgres)
            {
                Skip = "SQLite only: " + why;
            }
        }
    }

    /// <summary>See <see cref="SqliteOnlyFactAttribute"/>.</summary>
    public sealed class SqliteOnlyTheoryAttribute : TheoryAttribute
    {
        public SqliteOnlyTheoryAttribute(string why)
        {
            if (TempStore.IsPostgres)
            {
                Skip = "SQLite only: " + why;
            }
        }
    }

    /// <summary>A test of the PostgreSQL store: skipped unless the tests run against a server.</summary>
    public sealed class PostgresFactAttribute : FactAttribute
    {
        public PostgresFactAttribute()
        {
            if (!TempStore.IsPostgres)
            {
                Skip = "Needs a PostgreSQL server: set " + TempStore.PostgresVariable + " to a connection string (tests/PostgresServer.ps1 starts one).";
            }
        }
    }
}
