using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Microsoft.Data.Sqlite;

namespace ApiKeyModule
{
    /// <summary>Appends to and reads the audit_log table. Rows are written in the transaction of the change they record.</summary>
    internal sealed class AuditLog : IDisposable
    {
        private static readonly string User = Environment.UserName;
        private static readonly string Host = Environment.MachineName;
        private static readonly int ProcessId = Process.GetCurrentProcess().Id;

        private readonly SqliteConnection connection;
        private SqliteCommand append;

        public AuditLog(SqliteConnection connection)
        {
            this.connection = connection;
        }

        public void Append(SqliteTransaction transaction, string action, int? keyId, string keyName,
            string oldValue = null, string newValue = null, string details = null)
        {
            if (append == null)
            {
                append = connection.CreateCommand();
                append.CommandText = "INSERT INTO audit_log (at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id) " +
                                     "VALUES ($at, $action, $keyId, $keyName, $old, $new, $details, $user, $host, $pid)";
                foreach (string name in new[] { "$at", "$action", "$keyId", "$keyName", "$old", "$new", "$details" })
                {
                    append.Parameters.Add(name, SqliteType.Text);
                }
                append.Parameters.AddWithValue("$user", User);
                append.Parameters.AddWithValue("$host", Host);
                append.Parameters.AddWithValue("$pid", ProcessId);
            }
            append.Transaction = transaction;
            append.Parameters["$at"].Value = UnixTime.ToMilliseconds(DateTime.UtcNow);
            append.Parameters["$action"].Value = action;
            append.Parameters["$keyId"].Value = (object)keyId ?? DBNull.Value;
            append.Parameters["$keyName"].Value = (object)keyName ?? DBNull.Value;
            append.Parameters["$old"].Value = (object)oldValue ?? DBNull.Value;
            append.Parameters["$new"].Value = (object)newValue ?? DBNull.Value;
            append.Parameters["$details"].Value = (object)details ?? DBNull.Value;
            append.ExecuteNonQuery();
        }

        /// <summary>Newest first; each filter is optional.</summary>
        public IEnumerable<ApiKeyAuditEntry> Read(IReadOnlyCollection<int> keyIds, DateTime? after, DateTime? before, Guid storeId, string store)
        {
            using (SqliteCommand command = connection.CreateCommand())
            {
                var conditions = new List<string>();
                if (keyIds != null && keyIds.Count > 0)
                {
                    conditions.Add("key_id IN (" + string.Join(", ", keyIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + ")");
                }
                if (after != null)
                {
                    conditions.Add("at > $after");
                    command.Parameters.AddWithValue("$after", UnixTime.ToMilliseconds(after.Value));
                }
                if (before != null)
                {
                    conditions.Add("at < $before");
                    // Rows are kept to the millisecond: round the bound up, so a row just before it is still in.
                    command.Parameters.AddWithValue("$before", UnixTime.ToMilliseconds(before.Value.AddTicks(TimeSpan.TicksPerMillisecond - 1)));
                }
                command.CommandText = "SELECT id, at, action, key_id, key_name, old_value, new_value, details, os_user, host, process_id FROM audit_log" +
                                      (conditions.Count > 0 ? " WHERE " + string.Join(" AND ", conditions) : "") +
                                      " ORDER BY at DESC, id DESC";
                using (SqliteDataReader reader = command.ExecuteReader())
                {
                    while (reader.Read())
                    {
                        yield return new ApiKeyAuditEntry
                        {
                            Id = reader.GetInt64(0),
                            Time = UnixTime.FromMilliseconds(reader.GetInt64(1)),
                            Action = reader.GetString(2),
                            KeyId = reader.IsDBNull(3) ? (int?)null : reader.GetInt32(3),
                            KeyName = ShownText(reader, 4),
                            OldValue = ShownText(reader, 5),
                            NewValue = ShownText(reader, 6),
                            Details = ShownText(reader, 7),
                            User = reader.GetString(8),
                            Host = reader.GetString(9),
                            ProcessId = reader.GetInt32(10),
                            StoreId = storeId,
                            Store = store,
                        };
                    }
                }
            }
        }

        public void Dispose() => append?.Dispose();

        // Escaped on the way out too: rows written by an earlier version may hold text from outside as it came.
        private static string ShownText(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : SafeText.Escape(reader.GetString(column));
    }
}
