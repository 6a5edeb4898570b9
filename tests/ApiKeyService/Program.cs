// Runs the service until Ctrl+C:
//   dotnet run --project tests/ApiKeyService -c Release -- --store /srv/keys/apikeys.db --urls http://127.0.0.1:8080
// Without --store, the store $env:APIKEYMODULE_STORE names, else the per-user one. A PostgreSQL connection string may
// hold a password: give it in $env:APIKEYMODULE_STORE, not on the command line, where other users can read it.
using ApiKeyModule;
using ApiKeyService;
using Microsoft.AspNetCore.Builder;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
using ApiKeyVerifier verifier = ApiKeyVerifier.Open(builder.Configuration["store"]);
WebApplication app = ServiceApp.Build(builder, verifier);
app.Run();
