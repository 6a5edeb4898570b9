using System;
using System.Collections.Generic;
using System.Diagnostics;
using ApiKeyModule;
using Microsoft.Data.Sqlite;
using SQLitePCL;

/// <summary>P3 parts: every key read raw, and through the engine's List(); what-ifs for reading the allowlists.</summary>
internal static class EnumerateBench
{
    public static void Enumerate(string path, Dictionary<string, object> result)
    {
        SqliteConnection.ClearAllPools();
        var raw = new List<double>();
        var engine = new List<double>();
        long count = 0;
        for (int pass = 0; pass < 3; pass++)
        {
            Stopwatch watch = Stopwatch.StartNew();
            using (SqliteConnection connection = SqliteHarness.Raw(path))
            using (SqliteCommand command = connection.CreateCommand())
            {
                command.CommandText = SqliteHarness.SelectColumns + " ORDER BY id";
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    long sink = 0;
                    count = 0;
                    while (reader.Read())
                    {
                        sink += SqliteHarness.Sink(reader);
                        count++;
                    }
                }
            }
            raw.Add(watch.Elapsed.TotalSeconds);

            watch.Restart();
            using (ApiKeyStore store = ApiKeyStore.Open(path))
            {
                count = 0;
                foreach (ApiKey key in store.List())
                {
                    count++;
                }
            }
            engine.Add(watch.Elapsed.TotalSeconds);
        }
        result["n"] = count;
        result["rawReadSeconds"] = Harness.Median(raw);
        result["engineListSeconds"] = Harness.Median(engine);

        // What-ifs: the allowlist column parsed per row as the engine does (Split, Substring, string.Intern), parsed
        // once per distinct text, and the rows read through SQLitePCL.raw without Microsoft.Data.Sqlite's reader.
        var parsed = new List<double>();
        var cached = new List<double>();
        var direct = new List<double>();
        for (int pass = 0; pass < 3; pass++)
        {
            parsed.Add(ReadWithAllowlists(path, cache: false));
            cached.Add(ReadWithAllowlists(path, cache: true));
            direct.Add(ReadDirect(path));
        }
        result["rawReadParseAllowlistSeconds"] = Harness.Median(parsed);
        result["rawReadCachedAllowlistSeconds"] = Harness.Median(cached);
        result["sqlitePclRawReadSeconds"] = Harness.Median(direct);
    }

    private static double ReadWithAllowlists(string path, bool cache)
    {
        Stopwatch watch = Stopwatch.StartNew();
        var seen = new Dictionary<string, object>(StringComparer.Ordinal);
        long sink = 0;
        using (SqliteConnection connection = SqliteHarness.Raw(path))
        using (SqliteCommand command = connection.CreateCommand())
        {
            command.CommandText = SqliteHarness.SelectColumns + " ORDER BY id";
            using (SqliteDataReader reader = command.ExecuteReader())
            {
                while (reader.Read())
                {
                    string text = reader.GetString(3);
                    object allowlist;
                    if (!cache || !seen.TryGetValue(text, out allowlist))
                    {
                        allowlist = ParseAllowlist(text);
                        if (cache)
                        {
                            seen[text] = allowlist;
                        }
                    }
                    sink += reader.GetInt32(0) + reader.GetString(1).Length + reader.GetInt64(2) + ((KeyValuePair<string, string>[])allowlist).Length +
                            (reader.IsDBNull(4) ? 0 : reader.GetInt64(4)) + (reader.GetBoolean(5) ? 1 : 0) +
                            (reader.IsDBNull(6) ? 0 : reader.GetString(6).Length) + (reader.IsDBNull(7) ? 0 : reader.GetInt64(7));
                }
            }
        }
        return sink == 0 ? 0 : watch.Elapsed.TotalSeconds;
    }

    /// <summary>As AllowlistColumn.Read does it, with pairs for its entries.</summary>
    private static KeyValuePair<string, string>[] ParseAllowlist(string text)
    {
        if (text.Length == 0)
        {
            return new KeyValuePair<string, string>[0];
        }
        string[] lines = text.Split('\n');
        var entries = new KeyValuePair<string, string>[lines.Length];
        for (int i = 0; i < lines.Length; i++)
        {
            int space = lines[i].IndexOf(' ');
            entries[i] = new KeyValuePair<string, string>(string.Intern(lines[i].Substring(0, space)), lines[i].Substring(space + 1));
        }
        return entries;
    }

    private static double ReadDirect(string path)
    {
        Stopwatch watch = Stopwatch.StartNew();
        long sink = 0;
        raw.sqlite3_open_v2(path, out sqlite3 db, raw.SQLITE_OPEN_READONLY, null);
        using (db)
        {
            raw.sqlite3_prepare_v2(db, SqliteHarness.SelectColumns + " ORDER BY id", out sqlite3_stmt statement);
            using (statement)
            {
                while (raw.sqlite3_step(statement) == raw.SQLITE_ROW)
                {
                    sink += raw.sqlite3_column_int(statement, 0) + raw.sqlite3_column_text(statement, 1).utf8_to_string().Length +
                            raw.sqlite3_column_int64(statement, 2) + raw.sqlite3_column_text(statement, 3).utf8_to_string().Length +
                            (raw.sqlite3_column_type(statement, 4) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_int64(statement, 4)) +
                            raw.sqlite3_column_int(statement, 5) +
                            (raw.sqlite3_column_type(statement, 6) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_text(statement, 6).utf8_to_string().Length) +
                            (raw.sqlite3_column_type(statement, 7) == raw.SQLITE_NULL ? 0 : raw.sqlite3_column_int64(statement, 7));
                }
            }
        }
        return sink == 0 ? 0 : watch.Elapsed.TotalSeconds;
    }
}
