using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Persistence;
using Shop.PaymentService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("payment-service");
builder.AddShopMarten(PaymentsModule.Schema, PaymentsModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Payments, PaymentsModule.AddConsumers);
builder.AddPayments();

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapPayments();
app.Run();

public partial class Program;
