using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Persistence;
using Shop.OrderSaga;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("order-saga");
builder.AddShopMarten(OrdersModule.Schema, OrdersModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Orders, OrdersModule.AddSagas);
builder.AddOrders();

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapOrders();
app.Run();

public partial class Program;
