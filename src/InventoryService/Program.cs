using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.InventoryService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Inventory);
builder.AddShopMarten(InventoryModule.Schema, InventoryModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Inventory, InventoryModule.AddConsumers);
builder.AddInventory();
builder.AddShopOperations(InventoryModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.UseOutputCache();   // after authorization: a cached answer is only ever served where its endpoint would be allowed
app.MapInventory();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
