using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Persistence;
using Shop.InventoryService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("inventory-service");
builder.AddShopMarten(InventoryModule.Schema, InventoryModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Inventory, InventoryModule.AddConsumers);
builder.AddInventory();

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapInventory();
app.Run();

public partial class Program;
