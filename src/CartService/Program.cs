using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.CartService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Cart);
builder.AddShopMarten(CartModule.Schema, CartModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Cart, CartModule.AddConsumers);
builder.AddCart();
builder.AddShopOperations(CartModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapCart();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
