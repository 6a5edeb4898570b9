using System;
using System.Collections.Generic;
using System.Linq;

namespace ApiKeyModule
{
    /// <summary>
    /// One allowlist entry: an HTTP/middleware method and a resource (exact, or an fnmatch pattern with '*'). Made by
    /// <see cref="Create"/>, which validates it; immutable, and equal to another with the same method and resource.
    /// </summary>
    public sealed class AllowlistEntry : IEquatable<AllowlistEntry>
    {
        private static readonly string[] RequestMethodList = { "GET", "POST", "PUT", "DELETE", "CALL", "SUBSCRIBE" };

        /// <summary>The methods a request can have: what a verification takes (<see cref="ApiKeyStore.Verify"/>).</summary>
        public static readonly IReadOnlyList<string> RequestMethods = RequestMethodList;

        /// <summary>The methods an entry can name: a request's, or '*' for any.</summary>
        public static readonly IReadOnlyList<string> Methods = RequestMethods.Concat(new[] { "*" }).ToArray();

        /// <summary>Whether <paramref name="method"/> is one of <see cref="RequestMethods"/>, in any case. On every verification: no allocation.</summary>
        internal static bool IsRequestMethod(string method)
        {
            foreach (string known in RequestMethodList)
            {
                if (string.Equals(known, method, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            return false;
        }

        internal AllowlistEntry(string method, string resource)
        {
            Method = method;
            Resource = resource;
        }

        /// <summary>One of <see cref="Methods"/>, upper-case.</summary>
        public string Method { get; }

        /// <summary>A resource name such as "system.info" or "/pool", or a pattern with '*' such as "pool.*".</summary>
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

        /// <summary>The method and resource, as "GET /pool".</summary>
        public override string ToString() => Method + " " + Resource;

        /// <summary>Whether <paramref name="other"/> has the same method and resource (compared ordinally).</summary>
        public bool Equals(AllowlistEntry? other) =>
            other != null && string.Equals(Method, other.Method, StringComparison.Ordinal) && string.Equals(Resource, other.Resource, StringComparison.Ordinal);

        /// <summary>Whether <paramref name="obj"/> is an entry with the same method and resource.</summary>
        public override bool Equals(object? obj) => Equals(obj as AllowlistEntry);

        /// <summary>A hash of the method and resource, as <see cref="Equals(AllowlistEntry)"/> compares them.</summary>
        // Stryker disable once Arithmetic : equal entries hash equally under any mix of the two hashes; only the spread over buckets changes.
        public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Method) * 31 + StringComparer.Ordinal.GetHashCode(Resource);
    }
}
