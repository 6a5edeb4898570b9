using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace ApiKeyModule
{
    /// <summary>
    /// Where a store is: a SQLite file path, or a PostgreSQL server given as an Npgsql connection string
    /// (<c>Host=db;Database=keys;Username=admin</c>) or a URI (<c>postgresql://admin@db:5432/keys?sslmode=verify-full</c>),
    /// which is turned into a connection string (Npgsql takes none). Telling them apart needs no database library.
    /// </summary>
    internal static class StoreAddress
    {
        private static readonly string[] ConnectionKeywords = { "host", "server", "database", "username", "user id", "user", "port" };
        private static readonly char[] QueryParameterSeparator = { '&' };
        private static readonly char[] QuotedCharacters = { ';', '=', '\'', '"' };

        private static readonly Dictionary<string, string> UriParameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["sslmode"] = "SSL Mode",
            ["sslrootcert"] = "Root Certificate",
            ["sslcert"] = "SSL Certificate",
            ["sslkey"] = "SSL Key",
            ["application_name"] = "Application Name",
            ["connect_timeout"] = "Timeout",
            ["target_session_attrs"] = "Target Session Attributes",
            ["passfile"] = "Passfile",
            ["schema"] = "Schema",
        };

        /// <summary>Whether <paramref name="text"/> names a PostgreSQL server rather than a file.</summary>
        public static bool IsPostgres([NotNullWhen(true)] string? text)
        {
            if (text == null || string.IsNullOrWhiteSpace(text))
            {
                return false;
            }
            string trimmed = text.Trim();
            if (IsUri(trimmed))
            {
                return true;
            }
            foreach (string part in trimmed.Split(';'))
            {
                int equals = part.IndexOf('=');
                if (equals > 0 && Array.IndexOf(ConnectionKeywords, part.Substring(0, equals).Trim().ToLowerInvariant()) >= 0)
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The connection string for a PostgreSQL address: a URI converted, anything else as given.</summary>
        public static string ToConnectionString(string text)
        {
            string trimmed = text.Trim();
            return IsUri(trimmed) ? FromUri(trimmed) : trimmed;
        }

        private static bool IsUri(string text) =>
            text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase);

        // postgresql://[user[:password]@][host[:port][,host[:port]...]][/database][?name=value&...], as libpq reads it.
        private static string FromUri(string uri)
        {
            string rest = uri.Substring(uri.IndexOf("://", StringComparison.Ordinal) + 3);
            var parts = new List<KeyValuePair<string, string>>();
            string? query = null;
            int question = rest.IndexOf('?');
            if (question >= 0)
            {
                query = rest.Substring(question + 1);
                rest = rest.Substring(0, question);
            }
            int slash = rest.IndexOf('/');
            string? database = slash >= 0 ? Decode(rest.Substring(slash + 1)) : null;
            string authority = slash >= 0 ? rest.Substring(0, slash) : rest;
            int at = authority.LastIndexOf('@');
            if (at >= 0)
            {
                string userInfo = authority.Substring(0, at);
                authority = authority.Substring(at + 1);
                int colon = userInfo.IndexOf(':');
                parts.Add(Pair("Username", Decode(colon >= 0 ? userInfo.Substring(0, colon) : userInfo)));
                if (colon >= 0)
                {
                    parts.Add(Pair("Password", Decode(userInfo.Substring(colon + 1))));
                }
            }
            if (authority.Length > 0)
            {
                var hosts = new List<string>();
                string? port = null;
                foreach (string hostPort in authority.Split(','))
                {
                    string host = hostPort;
                    int colon = hostPort.StartsWith("[", StringComparison.Ordinal) ? hostPort.IndexOf("]:", StringComparison.Ordinal) + 1 : hostPort.LastIndexOf(':');
                    if (colon > 0)
                    {
                        host = hostPort.Substring(0, colon);
                        port = hostPort.Substring(colon + 1);
                    }
                    hosts.Add(Decode(host.Trim('[', ']')));
                }
                parts.Add(Pair("Host", string.Join(",", hosts)));
                if (port != null)
                {
                    parts.Add(Pair("Port", port));
                }
            }
            if (database != null && database.Length > 0)
            {
                parts.Add(Pair("Database", database));
            }
            foreach (string parameter in (query ?? "").Split(QueryParameterSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = parameter.IndexOf('=');
                string name = Decode(equals >= 0 ? parameter.Substring(0, equals) : parameter);
                string value = equals >= 0 ? Decode(parameter.Substring(equals + 1)) : "";
                if (name.Equals("sslmode", StringComparison.OrdinalIgnoreCase))
                {
                    value = SslMode(value);
                }
                if (!UriParameters.TryGetValue(name, out string keyword))
                {
                    throw new ApiKeyException(ErrorIds.StoreUnavailable, ApiKeyErrorCategory.OpenError,
                        $"The connection URI has the parameter '{SafeText.Escape(name)}', which is not understood here. Use one of " +
                        string.Join(", ", UriParameters.Keys) + ", or give an Npgsql connection string (Host=...;Database=...).");
                }
                parts.Add(Pair(keyword, value));
            }
            var text = new StringBuilder();
            foreach (KeyValuePair<string, string> part in parts)
            {
                text.Append(part.Key).Append('=').Append(Quote(part.Value)).Append(';');
            }
            return text.ToString().TrimEnd(';');
        }

        private static string SslMode(string libpq)
        {
            switch (libpq.ToLowerInvariant())
            {
                case "verify-full": return "VerifyFull";
                case "verify-ca": return "VerifyCA";
                default: return CultureInfo.InvariantCulture.TextInfo.ToTitleCase(libpq.ToLowerInvariant());
            }
        }

        private static KeyValuePair<string, string> Pair(string key, string value) => new KeyValuePair<string, string>(key, value);

        private static string Decode(string text) => Uri.UnescapeDataString(text);

        // A value with ; = ' " or spaces at its ends is quoted, as DbConnectionStringBuilder reads it back.
        private static string Quote(string value) =>
            value.IndexOfAny(QuotedCharacters) < 0 && value.Trim() == value ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
    }
}
