using System.Net;
using Stripe;

namespace Shop.PaymentService.Providers.Stripe;

/// <summary>
/// Charges through Stripe's PaymentIntents (create, then confirm with the payment method) and refunds through the
/// Refunds API. Each call carries an idempotency key derived from the order and the operation, so a retry — by the SDK
/// after a 5xx or network error, or by MassTransit after this method threw — is answered with the first result instead
/// of charging again.
/// </summary>
public sealed class StripePaymentProvider(IStripeClient client, ILogger<StripePaymentProvider> logger) : IPaymentProvider
{
    public const string OrderIdMetadataKey = "order_id";

    public string Name => "stripe";

    public async Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken)
    {
        if (!MinorUnits.TryToMinor(request.Amount, request.Currency, out var amount))
            return new ChargeResult.Declined($"{request.Amount} cannot be charged in {request.Currency}.", "invalid_amount");

        var intents = new PaymentIntentService(client);
        try
        {
            var created = await intents.CreateAsync(new PaymentIntentCreateOptions
            {
                Amount = amount,
                Currency = request.Currency.ToLowerInvariant(),
                AllowedPaymentMethodTypes = ["card"],
                Description = $"Shop order {request.OrderId}",
                Metadata = new Dictionary<string, string> { [OrderIdMetadataKey] = request.OrderId.ToString() },
            }, new RequestOptions { IdempotencyKey = request.IdempotencyKey + "-create" }, cancellationToken);

            var confirmed = await intents.ConfirmAsync(created.Id, new PaymentIntentConfirmOptions { PaymentMethod = request.PaymentMethod },
                new RequestOptions { IdempotencyKey = request.IdempotencyKey + "-confirm" }, cancellationToken);
            return FromIntent(confirmed);
        }
        catch (StripeException exception) when (IsClientError(exception))
        {
            logger.LogInformation("Stripe declined the charge of order {OrderId}: {Type}/{Code}", request.OrderId,
                exception.StripeError?.Type, exception.StripeError?.Code);
            var error = exception.StripeError;
            return new ChargeResult.Declined(error?.Message ?? exception.Message, error?.DeclineCode ?? error?.Code);
        }
    }

    public async Task<ChargeResult> CheckChargeAsync(string paymentId, CancellationToken cancellationToken) =>
        FromIntent(await new PaymentIntentService(client).GetAsync(paymentId, cancellationToken: cancellationToken));

    public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
    {
        if (!MinorUnits.TryToMinor(request.Amount, request.Currency, out var amount))
            return new RefundResult.Failed($"{request.Amount} cannot be refunded in {request.Currency}.");
        try
        {
            var refund = await new RefundService(client).CreateAsync(new RefundCreateOptions
            {
                PaymentIntent = request.PaymentId,
                Amount = amount,
                Metadata = new Dictionary<string, string> { [OrderIdMetadataKey] = request.OrderId.ToString() },
            }, new RequestOptions { IdempotencyKey = request.IdempotencyKey }, cancellationToken);

            return refund.Status switch
            {
                "succeeded" => new RefundResult.Refunded(refund.Id),
                "failed" or "canceled" => new RefundResult.Failed(refund.FailureReason ?? refund.Status),
                _ => new RefundResult.Pending(refund.Id),
            };
        }
        catch (StripeException exception) when (IsClientError(exception))
        {
            logger.LogWarning("Stripe refused the refund of order {OrderId}: {Type}/{Code}", request.OrderId,
                exception.StripeError?.Type, exception.StripeError?.Code);
            return new RefundResult.Failed(exception.StripeError?.Code ?? exception.StripeError?.Message ?? exception.Message);
        }
    }

    /// <summary>Maps a PaymentIntent's status to Shop's outcome (succeeded is captured: capture_method is automatic).</summary>
    public static ChargeResult FromIntent(PaymentIntent intent) => intent.Status switch
    {
        "succeeded" => new ChargeResult.Captured(intent.Id),
        "requires_payment_method" or "canceled" => new ChargeResult.Declined(
            intent.LastPaymentError?.Message ?? $"The payment was not completed ({intent.Status}).",
            intent.LastPaymentError?.DeclineCode ?? intent.LastPaymentError?.Code ?? intent.Status),
        _ => new ChargeResult.Pending(intent.Id, intent.Status),
    };

    /// <summary>
    /// Card errors (402) and invalid requests (a payment method that does not exist) are answers: retrying cannot change
    /// them. Authentication, rate limits, idempotency conflicts and 5xx are not: they throw, so the message is retried.
    /// </summary>
    static bool IsClientError(StripeException exception) =>
        exception.HttpStatusCode is HttpStatusCode.PaymentRequired or HttpStatusCode.BadRequest or HttpStatusCode.NotFound
        && exception.StripeError?.Type is "card_error" or "invalid_request_error";
}
