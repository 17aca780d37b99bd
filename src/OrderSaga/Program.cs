using JasperFx;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.OrderSaga;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("order-saga");
builder.AddShopMarten(OrdersModule.Schema, OrdersModule.ConfigureDocuments).AddOrderDaemon();
builder.AddShopMessaging(ServiceQueues.Orders, OrdersModule.AddSagas);
builder.AddOrders();
builder.AddShopOperations(OrdersModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapOrders();
// Marten's command line (db-apply, projections, describe...); no arguments runs the service.
return await app.RunJasperFxCommands(args);

public partial class Program;
