using System.Collections.Concurrent;
using System.Linq;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using ApiKeyModule;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ApiKeyService
{
    /// <summary>The service: a few endpoints in TrueNAS's REST style, every one behind API key authentication.</summary>
    public static class ServiceApp
    {
        /// <summary>
        /// Builds the service on <paramref name="builder"/>. A null <paramref name="verifier"/> leaves authentication out:
        /// the benchmark's yardstick, never a service to run.
        /// </summary>
        public static WebApplication Build(WebApplicationBuilder builder, ApiKeyVerifier verifier)
        {
            // A log line per request would cost more than checking its key.
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            WebApplication app = builder.Build();
            if (verifier != null)
            {
                app.UseApiKeyAuthentication(verifier);
            }
            MapEndpoints(app);
            return app;
        }

        /// <summary>The service started on a free local port (which <c>app.Urls</c> then names), quiet but for warnings: for tests and benchmarks.</summary>
        public static async Task<WebApplication> StartLocalAsync(ApiKeyVerifier verifier)
        {
            WebApplicationBuilder builder = WebApplication.CreateBuilder(new[]
            {
                // Port 0: the system picks a free one, which Kestrel then reports.
                "--urls=http://127.0.0.1:0",
                "--Logging:LogLevel:Default=Warning",
                "--hostBuilder:reloadConfigOnChange=false",
            });
            WebApplication app = Build(builder, verifier);
            await app.StartAsync();
            return app;
        }

        private static void MapEndpoints(WebApplication app)
        {
            var datasets = new ConcurrentDictionary<int, Dataset>();
            int lastId = 0;
            foreach (string name in new[] { "tank", "tank/home" })
            {
                int id = ++lastId;
                datasets[id] = new Dataset(id, name);
            }

            // The trivial endpoint the benchmark measures.
            app.MapGet("/ping", () => "pong");

            // Who the caller is: the key that authenticated the request.
            app.MapGet("/auth/me", (ClaimsPrincipal user) => new
            {
                Id = int.Parse(user.FindFirstValue(ClaimTypes.NameIdentifier), System.Globalization.CultureInfo.InvariantCulture),
                Name = user.Identity.Name,
            });

            app.MapGet("/system/info", () => new { Hostname = System.Environment.MachineName, Version = "ApiKeyService 1.0" });

            app.MapGet("/pool/dataset", () => datasets.Values.OrderBy(d => d.Id));
            app.MapGet("/pool/dataset/{id:int}", (int id) => datasets.TryGetValue(id, out Dataset d) ? Results.Ok(d) : Results.NotFound());
            app.MapPost("/pool/dataset", (DatasetRequest request) =>
            {
                if (string.IsNullOrWhiteSpace(request?.Name))
                {
                    return Results.BadRequest(new { Message = "Give the dataset a name." });
                }
                var dataset = new Dataset(Interlocked.Increment(ref lastId), request.Name);
                datasets[dataset.Id] = dataset;
                return Results.Created($"/pool/dataset/{dataset.Id}", dataset);
            });
            app.MapPut("/pool/dataset/{id:int}", (int id, DatasetRequest request) =>
            {
                if (string.IsNullOrWhiteSpace(request?.Name))
                {
                    return Results.BadRequest(new { Message = "Give the dataset a name." });
                }
                if (!datasets.ContainsKey(id))
                {
                    return Results.NotFound();
                }
                var dataset = new Dataset(id, request.Name);
                datasets[id] = dataset;
                return Results.Ok(dataset);
            });
            app.MapDelete("/pool/dataset/{id:int}", (int id) => datasets.TryRemove(id, out _) ? Results.NoContent() : Results.NotFound());
        }

        public sealed record Dataset(int Id, string Name);

        public sealed record DatasetRequest(string Name);
    }
}
