using JasperFx;
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
// Marten's command line (db-apply, projections, describe...); no arguments runs the service.
return await app.RunJasperFxCommands(args);

public partial class Program;
