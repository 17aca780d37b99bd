using JasperFx;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.NotificationService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults("notification-service");
builder.AddShopMarten(NotificationsModule.Schema, NotificationsModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Notifications, NotificationsModule.AddConsumers);
builder.AddShopOperations(NotificationsModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapNotifications();
// Marten's command line (db-apply, projections, describe...); no arguments runs the service.
return await app.RunJasperFxCommands(args);

public partial class Program;
