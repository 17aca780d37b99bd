using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Persistence;
using Shop.Gateway.Identity;
using Shop.Gateway.Routing;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("gateway");
builder.AddShopMarten(IdentityModule.Schema, IdentityModule.ConfigureDocuments);
builder.AddIdentity();
builder.AddServiceRoutes();

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapIdentity();
app.MapReverseProxy();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
