using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Messaging;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Persistence;
using Shop.NotificationService;

var builder = WebApplication.CreateBuilder(args);
builder.AddShopDefaults(ServiceNames.Notifications);
builder.AddShopMarten(NotificationsModule.Schema, NotificationsModule.ConfigureDocuments);
builder.AddShopMessaging(ServiceQueues.Notifications, NotificationsModule.AddConsumers);
builder.AddNotifications();
builder.AddShopOperations(NotificationsModule.DescribeOperations);

// Here, not in BuildingBlocks: the validation source generator registers the types of the assembly that calls it.
builder.Services.AddValidation();

var app = builder.Build();
app.UseShopDefaults();
app.MapNotifications();
// No arguments: runs the service; a command (db-apply, projections, describe, help...) runs Marten's command line.
return await app.RunShopAsync(args);

public partial class Program;
