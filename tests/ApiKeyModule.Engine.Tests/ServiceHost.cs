using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using ApiKeyService;
using Microsoft.AspNetCore.Builder;

namespace ApiKeyModule.Tests
{
    /// <summary>
    /// The sample service (tests/ApiKeyService) on Kestrel on a free local port, its verifier open on one store, for
    /// tests that send it real HTTP requests.
    /// </summary>
    internal sealed class ServiceHost : IAsyncDisposable
    {
        private readonly WebApplication app;
        private readonly ApiKeyVerifier verifier;

        private ServiceHost(WebApplication app, ApiKeyVerifier verifier, Uri address)
        {
            this.app = app;
            this.verifier = verifier;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<ServiceHost> StartAsync(string location)
        {
            ApiKeyVerifier verifier = ApiKeyVerifier.Open(location);
            try
            {
                WebApplication app = await ServiceApp.StartLocalAsync(verifier);
                return new ServiceHost(app, verifier, new Uri(app.Urls.Single()));
            }
            catch
            {
                verifier.Dispose();
                throw;
            }
        }

        /// <summary>A client of its own (its own connections), as another program calling the service would be.</summary>
        public HttpClient NewClient(int connections = 2) =>
            new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections }) { BaseAddress = Address };

        public async ValueTask DisposeAsync()
        {
            try
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
            finally
            {
                verifier.Dispose();
            }
        }
    }

    /// <summary>What the service answered: the status and, for a refusal, the code its body gives.</summary>
    internal sealed record ServiceAnswer(int Status, string Code, string Challenge, string Body)
    {
        public static async Task<ServiceAnswer> SendAsync(HttpClient client, HttpMethod method, string path,
            string bearer = null, string apiKey = null, string authorization = null, string json = null)
        {
            using var request = new HttpRequestMessage(method, path);
            if (bearer != null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
            }
            if (authorization != null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }
            if (apiKey != null)
            {
                request.Headers.TryAddWithoutValidation(ApiKeyAuthentication.ApiKeyHeader, apiKey);
            }
            if (json != null)
            {
                request.Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
            }
            using HttpResponseMessage response = await client.SendAsync(request);
            string body = await response.Content.ReadAsStringAsync();
            string code = null;
            if ((int)response.StatusCode >= 400 && body.StartsWith('{'))
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.TryGetProperty("code", out JsonElement value))
                {
                    code = value.GetString();
                }
            }
            string challenge = response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : null;
            return new ServiceAnswer((int)response.StatusCode, code, challenge, body);
        }

        public override string ToString() => $"{Status} {Code} {Body}";
    }
}
