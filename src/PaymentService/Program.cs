using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.PaymentService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Payments);
builder.AddShopMarten(PaymentsModule.Schema, PaymentsModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Payments, PaymentsModule.AddConsumers);
builder.AddPayments();
builder.AddShopOperations(PaymentsModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapPayments();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
