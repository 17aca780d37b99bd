using System.Text;
using Marten;
using JasperFx;
using MassTransit;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Shop.BuildingBlocks.Http;
using Shop.PaymentService.Providers;
using Shop.PaymentService.Providers.Stripe;
using Stripe;
using Event = Stripe.Event;
using Contract = Shop.Contracts.Payments;

namespace Shop.PaymentService.Payments.Webhooks;

/// <summary>A Stripe event that was handled (its id is the document id): a replayed delivery is recognised and ignored.</summary>
public sealed class ProcessedStripeEvent
{
    public string Id { get; set; } = "";
    public string Type { get; set; } = "";
    public Guid? OrderId { get; set; }
    public string Outcome { get; set; } = "";
    public DateTimeOffset ProcessedAt { get; set; }
}

public record WebhookReceipt(string EventId, string Outcome);

/// <summary>
/// POST /api/payments/webhooks/stripe (anonymous: the signature is the authentication). Verifies Stripe-Signature with
/// the webhook secret (tampered, unsigned, foreign or stale requests get 400), handles each event id once, and settles the
/// ledger from asynchronous outcomes: payment_intent.succeeded / payment_intent.payment_failed for pending charges,
/// charge.refunded for refunds. Events about payments the ledger has already settled are acknowledged and change nothing.
/// </summary>
public static class StripeWebhookEndpoint
{
    public const string SignatureHeader = "Stripe-Signature";
    public const int MaxPayloadBytes = 256 * 1024;

    public static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult, ValidationProblem>> Handle(HttpRequest request,
        IOptions<StripeSettings> options, IDocumentSession session, IPublishEndpoint publish, ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var logger = loggers.CreateLogger(typeof(StripeWebhookEndpoint));
        if (string.IsNullOrEmpty(settings.WebhookSecret))
            return Problems.NotFound("The Stripe webhook endpoint (no Stripe:WebhookSecret is configured)");
        var signature = request.Headers[SignatureHeader].ToString();
        if (string.IsNullOrWhiteSpace(signature))
            return Problems.Validation(SignatureHeader, "The Stripe-Signature header is missing.");
        // Stripe events are a few KB: the endpoint's size limit (PaymentsModule) answers 413 to a larger body before it is read.

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var payload = await reader.ReadToEndAsync(cancellationToken);

        Event stripeEvent;
        try
        {
            // Only the fields Shop reads are used, so an endpoint pinned to another API version is still understood.
            stripeEvent = EventUtility.ConstructEvent(payload, signature, settings.WebhookSecret, settings.WebhookToleranceSeconds,
                throwOnApiVersionMismatch: false);
        }
        catch (Exception exception) when (exception is StripeException or FormatException or OverflowException or ArgumentException
                                              or System.Text.Json.JsonException)
        {
            logger.LogWarning("Rejected a Stripe webhook: {Reason}", exception.Message);
            return TypedResults.Problem(title: "The webhook could not be verified.", detail: exception.Message, statusCode: StatusCodes.Status400BadRequest);
        }

        if (await session.LoadAsync<ProcessedStripeEvent>(stripeEvent.Id, cancellationToken) is not null)
            return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, "duplicate"));

        var (orderId, outcome) = stripeEvent.Data.Object switch
        {
            PaymentIntent intent when stripeEvent.Type is EventTypes.PaymentIntentSucceeded or EventTypes.PaymentIntentPaymentFailed =>
                await SettleCharge(intent, session, publish, cancellationToken),
            Charge charge when stripeEvent.Type == EventTypes.ChargeRefunded => await SettleRefund(charge, session, publish, cancellationToken),
            _ => (null, "ignored: not handled"),
        };

        session.Insert(new ProcessedStripeEvent
        {
            Id = stripeEvent.Id, Type = stripeEvent.Type, OrderId = orderId, Outcome = outcome, ProcessedAt = DateTimeOffset.UtcNow,
        });
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (DocumentAlreadyExistsException)
        {
            return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, "duplicate")); // the same event, delivered twice at once
        }
        logger.LogInformation("Stripe event {EventId} ({Type}) for order {OrderId}: {Outcome}", stripeEvent.Id, stripeEvent.Type, orderId, outcome);
        return TypedResults.Ok(new WebhookReceipt(stripeEvent.Id, outcome));
    }

    static async Task<(Guid?, string)> SettleCharge(PaymentIntent intent, IDocumentSession session, IPublishEndpoint publish,
        CancellationToken cancellationToken)
    {
        var orderId = await OrderOf(intent.Metadata, intent.Id, session, cancellationToken);
        if (orderId is null)
            return (null, "ignored: not a Shop payment");
        var stream = await session.Events.FetchForWriting<PaymentLedger>(orderId.Value, cancellationToken);
        if (stream.Aggregate is not { } ledger)
            return (orderId, "ignored: no ledger");
        if (ledger.Status != PaymentStatus.Pending)
            return (orderId, $"ignored: already {ledger.Status}");
        if (ledger.PaymentId is not null && ledger.PaymentId != intent.Id)
            return (orderId, "ignored: another payment");
        if (!MinorUnits.TryToMinor(ledger.Amount, ledger.Currency, out var expected) || expected != intent.Amount
            || !string.Equals(ledger.Currency, intent.Currency, StringComparison.OrdinalIgnoreCase))
            return (orderId, "ignored: amount or currency differs from the ledger");

        var result = StripePaymentProvider.FromIntent(intent);
        if (result is ChargeResult.Pending)
            return (orderId, "ignored: still pending");
        await ChargeOutcomes.Record(stream.AppendOne, ChargeOutcomes.Of(ledger), result, publish, cancellationToken);
        return (orderId, result is ChargeResult.Captured ? "captured" : "declined");
    }

    static async Task<(Guid?, string)> SettleRefund(Charge charge, IDocumentSession session, IPublishEndpoint publish,
        CancellationToken cancellationToken)
    {
        var orderId = await OrderOf(charge.Metadata, charge.PaymentIntentId, session, cancellationToken);
        if (orderId is null)
            return (null, "ignored: not a Shop payment");
        var stream = await session.Events.FetchForWriting<PaymentLedger>(orderId.Value, cancellationToken);
        if (stream.Aggregate is not { Status: PaymentStatus.Captured or PaymentStatus.Refunded } ledger)
            return (orderId, "ignored: nothing captured");
        if (!string.Equals(ledger.Currency, charge.Currency, StringComparison.OrdinalIgnoreCase))
            return (orderId, "ignored: currency differs from the ledger");

        var newlyRefunded = MinorUnits.FromMinor(charge.AmountRefunded, ledger.Currency) - ledger.Refunded;
        if (newlyRefunded <= 0)
            return (orderId, "ignored: refund already recorded");

        // Stripe's charge carries the refunded total; the refund id is the pending one Shop asked for, if any.
        var refundId = ledger.PendingRefunds.Keys.FirstOrDefault() ?? charge.Refunds?.Data?.FirstOrDefault()?.Id ?? $"{charge.Id}-refund";
        stream.AppendOne(new PaymentRefunded(ledger.Id, refundId, newlyRefunded, DateTimeOffset.UtcNow));
        await publish.Publish(new Contract.PaymentRefunded(ledger.Id, refundId, newlyRefunded, ledger.Currency), cancellationToken);
        return (orderId, "refunded");
    }

    /// <summary>Shop puts the order id into the PaymentIntent's metadata; a charge may lack it, so the ledger is searched too.</summary>
    static async Task<Guid?> OrderOf(Dictionary<string, string>? metadata, string? paymentIntentId, IQuerySession session,
        CancellationToken cancellationToken)
    {
        if (metadata?.GetValueOrDefault(StripePaymentProvider.OrderIdMetadataKey) is { } value && Guid.TryParse(value, out var orderId))
            return orderId;
        if (string.IsNullOrEmpty(paymentIntentId))
            return null;
        var ledger = await session.Query<PaymentLedger>().FirstOrDefaultAsync(l => l.PaymentId == paymentIntentId, cancellationToken);
        return ledger?.Id;
    }
}
