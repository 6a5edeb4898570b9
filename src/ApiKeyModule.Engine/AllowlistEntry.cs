using System;
using System.Collections.Generic;
using System.Linq;

namespace ApiKeyModule
{
    /// <summary>One allowlist entry: an HTTP/middleware method and a resource (exact, or an fnmatch pattern with '*').</summary>
    public sealed class AllowlistEntry : IEquatable<AllowlistEntry>
    {
        /// <summary>The methods a request can have: what a verification takes, and Test-ApiKey's -Method.</summary>
        public static readonly IReadOnlyList<string> RequestMethods = new[] { "GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE" };

        /// <summary>The methods an entry can name: a request's, or '*' for any.</summary>
        public static readonly IReadOnlyList<string> Methods = RequestMethods.Concat(new[] { "*" }).ToArray();

        internal AllowlistEntry(string method, string resource)
        {
            Method = method;
            Resource = resource;
        }

        public string Method { get; }
        public string Resource { get; }

        /// <summary>Validates and normalises (method upper-cased); throws <see cref="ApiKeyException"/> on bad input.</summary>
        public static AllowlistEntry Create(string? method, string? resource) => AllowlistRules.CreateEntry(method, resource, null);

        /// <summary>
        /// TrueNAS's rule: the entry's method is '*' or the same; its resource is the same, or, when it holds '*', an
        /// fnmatch pattern that the resource matches.
        /// </summary>
        public bool Allows(string method, string resource)
        {
            if (Method != "*" && !string.Equals(Method, method, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            return Resource.IndexOf('*') >= 0 ? Fnmatch.IsMatch(resource, Resource) : string.Equals(Resource, resource, StringComparison.Ordinal);
        }

        public override string ToString() => Method + " " + Resource;

        public bool Equals(AllowlistEntry? other) =>
            other != null && string.Equals(Method, other.Method, StringComparison.Ordinal) && string.Equals(Resource, other.Resource, StringComparison.Ordinal);

        public override bool Equals(object? obj) => Equals(obj as AllowlistEntry);

        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Method) * 31 + StringComparer.Ordinal.GetHashCode(Resource);
    }
}
