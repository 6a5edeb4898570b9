using System;
using System.Security.Claims;
using System.Threading.Tasks;
using ApiKeyModule;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace ApiKeyService
{
    /// <summary>
    /// Authenticates every request with an API key of an ApiKeyModule store, as TrueNAS's REST API does. The key comes
    /// from "Authorization: Bearer &lt;key&gt;" or "X-Api-Key: &lt;key&gt;", and the request's method and path are the call
    /// that the key's allowlist must allow (an entry GET /pool/* allows GET /pool/dataset).
    /// <list type="bullet">
    /// <item>no key, or a malformed, unknown, revoked or expired one: 401 with "WWW-Authenticate: Bearer";</item>
    /// <item>a genuine key whose allowlist does not allow the call: 403;</item>
    /// <item>a genuine key and a method an allowlist cannot name (GET, POST, PUT and DELETE can): 405;</item>
    /// <item>the key given twice (both headers, or one header twice): 400;</item>
    /// <item>the store failing (a PostgreSQL server down, a SQLite file locked too long): 503, and the error logged;</item>
    /// <item>otherwise the request goes on, HttpContext.User naming the key (NameIdentifier: its id, Name: its name)
    /// and HttpContext.Features holding the <see cref="ApiKeyVerification"/> (its AllowedBy: the entry that allowed it).</item>
    /// </list>
    /// Copy this file into a service (it needs ApiKeyModule.Engine.dll), or reference this project.
    /// </summary>
    public static class ApiKeyAuthentication
    {
        public const string AuthenticationType = "ApiKey";
        public const string ApiKeyHeader = "X-Api-Key";

        /// <summary>
        /// Authenticates the requests that reach this point of the pipeline: add it before the endpoints it protects.
        /// The verifier is thread-safe: open one when the service starts and dispose it when the service stops (that
        /// writes the last uses it holds).
        /// </summary>
        public static IApplicationBuilder UseApiKeyAuthentication(this IApplicationBuilder app, ApiKeyVerifier verifier)
        {
            ArgumentNullException.ThrowIfNull(app);
            ArgumentNullException.ThrowIfNull(verifier);
            ILogger logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiKeyAuthentication).FullName);
            return app.Use(next => context => Authenticate(context, next, verifier, logger));
        }

        private static Task Authenticate(HttpContext context, RequestDelegate next, ApiKeyVerifier verifier, ILogger logger)
        {
            if (!TryGetKey(context.Request, out string presented))
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "invalid_request", "TwoKeys",
                    "Give the key once: in \"Authorization: Bearer <key>\" or in \"X-Api-Key\", not both.");
            }
            if (presented == null)
            {
                return Refuse(context, StatusCodes.Status401Unauthorized, null, "Missing",
                    "Give an API key: \"Authorization: Bearer <key>\" or \"X-Api-Key: <key>\".");
            }
            string method = CallMethod(context.Request.Method);
            // The path as routing sees it (percent-decoded, dot segments removed), so the call checked is the one served.
            // Routes match without regard to case and allowlists with regard to it: a path in another case is refused.
            string resource = context.Request.Path.HasValue ? context.Request.Path.Value : "/";
            ApiKeyVerification result;
            try
            {
                result = method != null ? verifier.Verify(presented, method, resource) : verifier.Verify(presented);
            }
            catch (ApiKeyException e) when (e.IsStoreFailure)
            {
                // The message names the store, never the key.
                logger.LogError(e, "The API key store could not be read ({ErrorId}).", e.ErrorId);
                context.Response.Headers.RetryAfter = "1";
                return Refuse(context, StatusCodes.Status503ServiceUnavailable, null, "StoreUnavailable",
                    "The key could not be checked now; try again.");
            }
            switch (result.Code)
            {
                case VerificationCode.Valid when method == null:
                    context.Response.Headers.Allow = "GET, POST, PUT, DELETE";
                    return Refuse(context, StatusCodes.Status405MethodNotAllowed, null, "MethodNotAllowed",
                        "An API key's allowlist names GET, POST, PUT and DELETE only.");
                case VerificationCode.Valid:
                    context.User = new ClaimsPrincipal(new ClaimsIdentity(new[]
                    {
                        new Claim(ClaimTypes.NameIdentifier, result.Id.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                        new Claim(ClaimTypes.Name, result.Name),
                    }, AuthenticationType));
                    context.Features.Set(result);
                    return next(context);
                case VerificationCode.Forbidden:
                    return Refuse(context, StatusCodes.Status403Forbidden, null, "Forbidden",
                        "The key's allowlist does not allow this method and path.");
                default:
                    return Refuse(context, StatusCodes.Status401Unauthorized, "invalid_token", result.Code.ToString(), Describe(result.Code));
            }
        }

        /// <summary>The presented key (null: none); false when it was given more than once.</summary>
        private static bool TryGetKey(HttpRequest request, out string key)
        {
            key = null;
            StringValues authorization = request.Headers.Authorization;
            StringValues apiKey = request.Headers[ApiKeyHeader];
            if (authorization.Count > 1 || apiKey.Count > 1)
            {
                return false;
            }
            string bearer = null;
            if (authorization.Count == 1)
            {
                // "Bearer <key>", the scheme in any case ("Bearer" alone: an empty key); another scheme (Basic, ...)
                // carries no API key.
                string value = authorization[0].Trim();
                if (value.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase) && (value.Length == 6 || value[6] == ' ' || value[6] == '\t'))
                {
                    bearer = value.Substring(6);
                }
            }
            if (bearer != null && apiKey.Count == 1)
            {
                return false;
            }
            // The verifier ignores white space around the key.
            key = bearer ?? (apiKey.Count == 1 ? apiKey[0] : null);
            return true;
        }

        /// <summary>The request's method as an allowlist names it, or null when none can.</summary>
        private static string CallMethod(string method)
        {
            if (HttpMethods.IsGet(method)) return "GET";
            if (HttpMethods.IsPost(method)) return "POST";
            if (HttpMethods.IsPut(method)) return "PUT";
            if (HttpMethods.IsDelete(method)) return "DELETE";
            return null;
        }

        private static string Describe(VerificationCode code) => code switch
        {
            VerificationCode.Malformed => "The key is not of the form <id>-<64 letters and digits>.",
            VerificationCode.NotFound => "No key has this id and secret.",
            VerificationCode.Revoked => "The key was revoked.",
            VerificationCode.Expired => "The key has expired.",
            _ => "The key was refused.",
        };

        /// <summary>
        /// Ends the request with a status, a JSON body {"code", "message"} and, for 401, the Bearer challenge of RFC 6750
        /// (with <paramref name="error"/> when a key was given).
        /// </summary>
        private static Task Refuse(HttpContext context, int status, string error, string code, string message)
        {
            HttpResponse response = context.Response;
            response.StatusCode = status;
            if (status == StatusCodes.Status401Unauthorized)
            {
                response.Headers.WWWAuthenticate = error == null ? "Bearer" : $"Bearer error=\"{error}\", error_description=\"{message}\"";
            }
            return response.WriteAsJsonAsync(new Refusal(code, message));
        }

        private sealed record Refusal(string Code, string Message);
    }
}
