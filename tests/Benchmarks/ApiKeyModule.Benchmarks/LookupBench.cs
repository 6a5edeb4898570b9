using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using ApiKeyModule;
using Microsoft.Data.Sqlite;

/// <summary>P5 parts: lookups by id on a large store, and the query plans of the module's lookups.</summary>
internal static class LookupBench
{
    /// <summary>Get by id on an open store, and Open + Get + Dispose per lookup as each Get-ApiKey invocation does.</summary>
    public static void Lookup(string path, int n, Dictionary<string, object> result)
    {
        int max = SqliteHarness.MaxId(path);
        var random = new Random(11);
        int[] ids = Enumerable.Range(0, n).Select(_ => random.Next(1, max + 1)).ToArray();
        int found = 0;
        using (ApiKeyStore store = ApiKeyStore.Open(path))
        {
            foreach (int id in ids.Take(200))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
            Stopwatch watch = Stopwatch.StartNew();
            foreach (int id in ids)
            {
                found += store.Get(id) != null ? 1 : 0;
            }
            result["getOnOpenStoreSeconds"] = watch.Elapsed.TotalSeconds / n;
        }
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        {
            // The same SELECT, prepared once and reused, and prepared anew per lookup (as ApiKeyStore.Query does).
            using (SqliteCommand prepared = connection.CreateCommand())
            {
                prepared.CommandText = SqliteHarness.SelectColumns + " WHERE id = $p";
                SqliteParameter parameter = prepared.Parameters.Add("$p", SqliteType.Integer);
                for (int pass = 0; pass < 2; pass++)
                {
                    Stopwatch watch = Stopwatch.StartNew();
                    foreach (int id in ids)
                    {
                        parameter.Value = id;
                        found += ReadRow(prepared);
                    }
                    result["rawPreparedSeconds"] = watch.Elapsed.TotalSeconds / n;
                }
            }
            for (int pass = 0; pass < 2; pass++)
            {
                Stopwatch watch = Stopwatch.StartNew();
                foreach (int id in ids)
                {
                    using (SqliteCommand command = connection.CreateCommand())
                    {
                        command.CommandText = SqliteHarness.SelectColumns + " WHERE id = $p";
                        command.Parameters.AddWithValue("$p", id);
                        found += ReadRow(command);
                    }
                }
                result["rawNewCommandSeconds"] = watch.Elapsed.TotalSeconds / n;
            }
        }
        foreach (int id in ids.Take(200))
        {
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
        }
        Stopwatch open = Stopwatch.StartNew();
        foreach (int id in ids)
        {
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                found += store.Get(id) != null ? 1 : 0;
            }
        }
        result["openGetDisposeSeconds"] = open.Elapsed.TotalSeconds / n;
        result["found"] = found;
    }

    private static int ReadRow(SqliteCommand command)
    {
        using (SqliteDataReader reader = command.ExecuteReader())
        {
            if (!reader.Read())
            {
                return 0;
            }
            return SqliteHarness.Sink(reader) != 0 ? 1 : 0;
        }
    }

    /// <summary>The query plans of the module's lookups: by id, by name prefix, and of every key.</summary>
    public static void Explain(string path, Dictionary<string, object> result)
    {
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        {
            result["byId"] = Plan(connection, SqliteHarness.SelectColumns + " WHERE id = 5");
            result["byNamePrefix"] = Plan(connection, SqliteHarness.SelectColumns + " WHERE name_folded >= 'K12345' AND name_folded < 'K12345' || char(1114111) ORDER BY id");
            result["list"] = Plan(connection, SqliteHarness.SelectColumns + " ORDER BY id");
        }
    }

    private static string Plan(SqliteConnection connection, string sql)
    {
        var lines = new List<string>();
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = "EXPLAIN QUERY PLAN " + sql;
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    lines.Add(reader.GetString(3));
                }
            }
        }
        return string.Join("; ", lines);
    }
}
