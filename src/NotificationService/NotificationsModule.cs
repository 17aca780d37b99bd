using Marten;
using MassTransit;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Email;
using Shop.BuildingBlocks.Operations;
using Shop.BuildingBlocks.Security;
using Shop.NotificationService.Notifications;
using Shop.NotificationService.Notifications.Delivery;
using Shop.NotificationService.Notifications.Delivery.Email;
using Shop.NotificationService.Notifications.Delivery.Sms;
using Shop.NotificationService.Notifications.Listing;
using Shop.NotificationService.Notifications.Recording;
using Shop.NotificationService.Notifications.Retrying;
using Shop.NotificationService.Notifications.Tracking;

namespace Shop.NotificationService;

public static class NotificationsModule
{
    public const string Schema = ServiceNames.Notifications;

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.Schema.For<Notification>()
            .Index(n => n.CustomerId)
            .Index(n => n.OrderId)
            .Index(n => n.Status)
            .Index(n => n.NextAttemptAt)
            .UseOptimisticConcurrency(true);
        options.Schema.For<OrderTracking>().UseOptimisticConcurrency(true);
    }

    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<OrderEventNotifier>();
        bus.AddConsumer<OrderTrackingConsumer>();
    }

    /// <summary>No streams or sagas here; operators still see the outbox relay and dead letters.</summary>
    public static void DescribeOperations(OperationsCatalog operations) { }

    /// <summary>Channels, senders (SMTP, or .eml files without SMTP; SMS to the log) and the delivery dispatcher.</summary>
    public static WebApplicationBuilder AddNotifications(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        var delivery = Bind<DeliveryOptions>(configuration, DeliveryOptions.Section, o => o.Problems());
        var smtp = SmtpOptions.From(configuration);
        var email = Bind<EmailOptions>(configuration, EmailOptions.Section, o => o.Problems());

        services.AddSingleton(NotificationChannels.From(configuration));
        services.AddSingleton(Options.Create(delivery));
        services.AddSingleton(Options.Create(smtp));
        services.AddSingleton(Options.Create(email));

        if (smtp.IsConfigured)
        {
            services.AddSingleton<SmtpConnections>();
            services.AddSingleton<INotificationSender, SmtpEmailSender>();
        }
        else
        {
            var directory = Path.GetFullPath(email.PickupDirectory ?? Path.Combine(builder.Environment.ContentRootPath, "sent-mail"));
            services.AddSingleton<INotificationSender>(sp => new FileEmailSender(directory, sp.GetRequiredService<IOptions<EmailOptions>>()));
        }
        services.AddSingleton<INotificationSender, LogSmsSender>();

        services.AddSingleton<NotificationSignal>();
        services.AddSingleton<NotificationClaims>();
        services.AddSingleton<DeliveryOutcomes>();
        services.AddHostedService<NotificationDispatcher>();
        services.ConfigureMarten((provider, options) =>
            options.Listeners.Add(new NotificationCommitListener(provider.GetRequiredService<NotificationSignal>())));
        return builder;
    }

    public static WebApplication MapNotifications(this WebApplication app)
    {
        var notifications = app.MapGroup("/api/notifications").WithTags("Notifications").RequireAuthorization();
        notifications.MapGet("/", ListNotificationsEndpoint.Mine);
        notifications.MapGet("/all", ListNotificationsEndpoint.All).RequireAuthorization(ShopPolicies.Admin);
        notifications.MapPost("/{id}/retry", RetryNotificationEndpoint.Handle).RequireAuthorization(ShopPolicies.Admin);
        notifications.MapGet("/orders/{orderId:guid}", OrderTrackingEndpoint.Handle);

        LogEmailRoute(app);
        return app;
    }

    static void LogEmailRoute(WebApplication app)
    {
        var channels = app.Services.GetRequiredService<NotificationChannels>();
        var sender = app.Services.GetServices<INotificationSender>().Single(s => s.Channel == NotificationChannels.Email);
        var smtp = app.Services.GetRequiredService<IOptions<SmtpOptions>>().Value;
        if (sender is FileEmailSender file)
            app.Logger.LogInformation("No SMTP server configured (Smtp:Host): email is written as .eml files to {Directory}", file.Directory);
        else
            app.Logger.LogInformation("Email goes to SMTP {Host}:{Port} (security {Security})", smtp.Host, smtp.Port, smtp.Security);
        app.Logger.LogInformation("Notification channels: {Channels}", string.Join(", ", channels.Enabled));
    }

    static T Bind<T>(IConfiguration configuration, string section, Func<T, IEnumerable<string>> problems) where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var found = problems(options).ToList();
        if (found.Count > 0)
            throw new InvalidOperationException($"Invalid {section} configuration: {string.Join("; ", found)}.");
        return options;
    }
}
