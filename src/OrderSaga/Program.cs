using MassTransit;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.Contracts.Carts;
using Shop.Messaging.Intake;
using Shop.OrderSaga;
using Shop.OrderSaga.Checkout;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Orders);
builder.AddShopMarten(OrdersModule.Schema, OrdersModule.ConfigureDocuments).AddOrderDaemon();
builder.AddShopMessaging(ServiceQueues.Orders, OrdersModule.AddSagas,
    NewWorkIntake.For<CheckoutRequested>(ServiceQueues.OrderCheckouts, (endpoint, context) => endpoint.ConfigureSaga<CheckoutState>(context)));
builder.AddOrders();
builder.AddShopOperations(OrdersModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapOrders();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
