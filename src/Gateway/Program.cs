using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Persistence;
using Shop.Gateway.Identity;
using Shop.Gateway.Identity.Tokens;
using Shop.Gateway.Perimeter;
using Shop.Gateway.Routing;
using Shop.Gateway.WebApp;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Gateway);
builder.AddShopMarten(IdentityModule.Schema, IdentityModule.ConfigureDocuments);
builder.AddIdentity();
builder.AddClientAddresses();
builder.AddSecurityHeaders();
builder.AddCrossOrigin();
builder.AddRateLimits();
builder.AddServiceRoutes();

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseForwardedHeaders();   // first: everything after keys on the real client address
app.UseSecurityHeaders();
app.UseCors();               // answers preflights before authentication and rate limits
app.UseShopDefaults();       // exception handler, ProblemDetails, body size limit, input filter, authentication, authorization, health
app.UseRevokedTokenRefusal(); // a logged-out access token goes no further, not even to a service
app.UseRateLimiter();        // after authentication: the per-user limit keys on the validated token's subject
app.UseOutputCache();        // after the rate limits: a cached catalog page is still a request that counts
app.MapIdentity();
app.MapApiDocs();
app.MapReverseProxy();
app.MapWebApp();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
