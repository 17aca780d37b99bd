using Marten;
using MassTransit;
using Shop.NotificationService.Notifications;
using Shop.NotificationService.Notifications.Listing;
using Shop.NotificationService.Notifications.Sending;

namespace Shop.NotificationService;

public static class NotificationsModule
{
    public const string Schema = "notifications";

    public static void ConfigureDocuments(StoreOptions options) =>
        options.Schema.For<Notification>().Index(n => n.CustomerId).Index(n => n.OrderId);

    public static void AddConsumers(IBusRegistrationConfigurator bus) => bus.AddConsumer<OrderEventNotifier>();

    public static WebApplication MapNotifications(this WebApplication app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        notifications.MapGet("/", ListNotificationsEndpoint.Mine);
        return app;
    }
}
