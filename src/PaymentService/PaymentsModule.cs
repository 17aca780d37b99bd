using JasperFx.Events.Projections;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Mvc;
using Shop.BuildingBlocks;
using Shop.BuildingBlocks.Operations;
using Shop.PaymentService.Payments;
using Shop.PaymentService.Payments.Charging;
using Shop.PaymentService.Payments.Reconciling;
using Shop.PaymentService.Payments.Refunding;
using Shop.PaymentService.Payments.ViewingPayment;
using Shop.PaymentService.Payments.Webhooks;
using Shop.PaymentService.Providers;

namespace Shop.PaymentService;

public static class PaymentsModule
{
    public const string Schema = ServiceNames.Payments;

    public static void ConfigureDocuments(StoreOptions options)
    {
        options.Projections.Snapshot<PaymentLedger>(SnapshotLifecycle.Inline);
        options.Schema.For<PaymentLedger>().Index(l => l.PaymentId);
        options.Schema.For<ProcessedStripeEvent>().Identity(e => e.Id);
    }

    public static void DescribeOperations(OperationsCatalog operations) => operations.EventStreams<PaymentLedger>("payment");

    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<ChargePaymentConsumer>();
        bus.AddConsumer<RefundPaymentConsumer>();
        bus.AddConsumer<ReconcilePaymentConsumer>();
    }

    public static WebApplicationBuilder AddPayments(this WebApplicationBuilder builder)
    {
        builder.AddPaymentProvider();
        builder.Services.Configure<ReconciliationOptions>(builder.Configuration.GetSection("Payments:Reconciliation"));
        return builder;
    }

    public static WebApplication MapPayments(this WebApplication app)
    {
        var payments = app.MapGroup("/api/payments").WithTags("Payments").RequireAuthorization();
        payments.MapGet("/{orderId:guid}", ViewPaymentEndpoint.Handle);
        payments.MapPost("/webhooks/stripe", StripeWebhookEndpoint.Handle).AllowAnonymous().DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(StripeWebhookEndpoint.MaxPayloadBytes));
        app.LogPaymentProvider();
        return app;
    }
}
