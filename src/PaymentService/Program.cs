using JasperFx;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.PaymentService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("payment-service");
builder.AddShopMarten(PaymentsModule.Schema, PaymentsModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Payments, PaymentsModule.AddConsumers);
builder.AddPayments();
builder.AddShopOperations(PaymentsModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapPayments();
// Marten's command line (db-apply, projections, describe...); no arguments runs the service.
return await app.RunJasperFxCommands(args);

public partial class Program;
