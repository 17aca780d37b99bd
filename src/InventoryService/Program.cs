using JasperFx;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.InventoryService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("inventory-service");
builder.AddShopMarten(InventoryModule.Schema, InventoryModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Inventory, InventoryModule.AddConsumers);
builder.AddInventory();
builder.AddShopOperations(InventoryModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapInventory();
// Marten's command line (db-apply, projections, describe...); no arguments runs the service.
return await app.RunJasperFxCommands(args);

public partial class Program;
