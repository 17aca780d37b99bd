using Marten;
using MassTransit;
using Shop.BuildingBlocks.Operations;
using Shop.NotificationService.Notifications;
using Shop.NotificationService.Notifications.Listing;
using Shop.NotificationService.Notifications.Sending;
using Shop.NotificationService.Notifications.Tracking;

namespace Shop.NotificationService;

public static class NotificationsModule
{
    public const string Schema = "notifications";

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.Schema.For<Notification>().Index(n => n.CustomerId).Index(n => n.OrderId);
        options.Schema.For<OrderTracking>().UseOptimisticConcurrency(true);
    }

    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<OrderEventNotifier>();
        bus.AddConsumer<OrderTrackingConsumer>();
    }

    /// <summary>No streams or sagas here; operators still see the outbox relay and dead letters.</summary>
    public static void DescribeOperations(OperationsCatalog operations) { }

    public static WebApplication MapNotifications(this WebApplication app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        notifications.MapGet("/", ListNotificationsEndpoint.Mine);
        notifications.MapGet("/orders/{orderId:guid}", OrderTrackingEndpoint.Handle);
        return app;
    }
}
