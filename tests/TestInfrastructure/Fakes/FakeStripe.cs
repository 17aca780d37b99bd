using Shop.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Stripe;

namespace Shop.Testing.Fakes;

/// <summary>When an injected 500 happens: before the request did anything, or after it ran (the answer is lost).</summary>
public enum FaultTiming { BeforeExecuting, AfterExecuting }

public sealed record RecordedRequest(string Method, string Path, string? IdempotencyKey, int Status, bool Replayed, bool Executed);

public sealed record WebhookDelivery(string EventId, string Type, int Status);

/// <summary>
/// The money one order moved at the provider, counted where a double charge would cost the customer: every time a
/// PaymentIntent of the order became succeeded (a capture: capture_method is automatic) and every refund.
/// </summary>
public sealed record ProviderOrder(Guid OrderId, IReadOnlyDictionary<string, int> CapturesByIntent, long CapturedAmount, int Refunds, long RefundedAmount)
{
    public int Intents => CapturesByIntent.Count;
    public int Captures => CapturesByIntent.Values.Sum();
}

/// <summary>
/// A Stripe-compatible HTTP server for tests, on a free loopback port (Kestrel), so the real Stripe.net SDK — in the test
/// process or in a PaymentService process — can be pointed at it with ApiBase. It speaks the parts of the API Shop uses:
/// PaymentIntents (create, confirm, retrieve), Refunds (create), form-encoded bodies, Bearer keys, Stripe's error JSON
/// (card_error/card_declined with decline codes, invalid_request_error, idempotency_error, api_error) and Stripe's
/// idempotency: a key replays the first executed result (with Idempotent-Replayed: true) and refuses other parameters.
/// Tests can inject 500s, finish 3-D Secure actions and have signed webhooks delivered like Stripe does.
/// </summary>
public sealed class FakeStripe : IAsyncDisposable
{
    public const string SecretKey = "sk_test_shop_fake_0123456789";

    readonly WebApplication _app;
    readonly SemaphoreSlim _gate = new(1, 1);
    readonly Dictionary<string, StoredResult> _idempotency = new();
    readonly Dictionary<string, Intent> _intents = new();
    readonly Dictionary<string, JsonObject> _refunds = new();
    readonly Queue<FaultTiming> _faults = new();
    readonly ConcurrentQueue<RecordedRequest> _requests = new();
    readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();
    readonly HttpClient _webhookClient = new() { Timeout = TimeSpan.FromSeconds(30) };
    string? _faultPath;
    FakeStripeHold? _hold;

    sealed record StoredResult(string Fingerprint, int Status, string Body);

    sealed class Intent
    {
        public required string Id { get; init; }
        public required long Amount { get; init; }
        public required string Currency { get; init; }
        public required Dictionary<string, string> Metadata { get; init; }
        public required long Created { get; init; }
        public string Status { get; set; } = "requires_payment_method";
        public string? PaymentMethod { get; set; }
        public string? ChargeId { get; set; }
        public long AmountRefunded { get; set; }
        /// <summary>Times this intent became succeeded; Stripe refuses to confirm a succeeded intent, so more than 1 is a fake's bug.</summary>
        public int Captures { get; set; }
        public JsonObject? LastPaymentError { get; set; }
    }

    FakeStripe(WebApplication app, int port)
    {
        _app = app;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }
    public string WebhookSecret { get; } = "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Where events are delivered (signed with <see cref="WebhookSecret"/>); none are sent while it is null.</summary>
    public Uri? WebhookUrl { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();
    public IReadOnlyList<WebhookDelivery> Deliveries => _deliveries.ToList();

    public static async Task<FakeStripe> StartAsync()
    {
        var port = LoopbackPorts.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var fake = new FakeStripe(app, port);
        app.Run(fake.HandleAsync);
        await app.StartAsync();
        return fake;
    }

    /// <summary>The next <paramref name="count"/> POSTs to paths starting with <paramref name="pathPrefix"/> answer 500.</summary>
    public void FailNext(string pathPrefix, int count, FaultTiming timing)
    {
        lock (_faults)
        {
            _faultPath = pathPrefix;
            for (var i = 0; i < count; i++)
                _faults.Enqueue(timing);
        }
    }

    /// <summary>The answer to the next matching request is held (after it ran) until the hold is released.</summary>
    public FakeStripeHold HoldNext(string method, string pathPrefix) => _hold = new FakeStripeHold(method, pathPrefix);

    /// <summary>PaymentIntents of an order (found by the order_id metadata Shop sets), as Stripe's JSON.</summary>
    public IReadOnlyList<JsonObject> IntentsOf(Guid orderId)
    {
        lock (_intents)
            return _intents.Values.Where(i => i.Metadata.GetValueOrDefault("order_id") == orderId.ToString()).Select(ToJson).ToList();
    }

    /// <summary>Every order (by the order_id metadata) that has a PaymentIntent here, with its captures and refunds.</summary>
    public IReadOnlyDictionary<Guid, ProviderOrder> Orders()
    {
        lock (_intents)
        {
            var refunds = _refunds.Values.GroupBy(r => (string)r["payment_intent"]!).ToDictionary(g => g.Key, g => g.Count());
            return _intents.Values
                .Where(i => Guid.TryParse(i.Metadata.GetValueOrDefault("order_id"), out _))
                .GroupBy(i => Guid.Parse(i.Metadata["order_id"]))
                .ToDictionary(g => g.Key, g => new ProviderOrder(g.Key, g.ToDictionary(i => i.Id, i => i.Captures),
                    g.Sum(i => i.Amount * i.Captures), g.Sum(i => refunds.GetValueOrDefault(i.Id)), g.Sum(i => i.AmountRefunded)));
        }
    }

    public IReadOnlyList<JsonObject> RefundsOf(string paymentIntentId)
    {
        lock (_intents)
            return _refunds.Values.Where(r => (string?)r["payment_intent"] == paymentIntentId).Select(r => (JsonObject)r.DeepClone()).ToList();
    }

    /// <summary>How many times an operation really ran (replays and injected early failures excluded).</summary>
    public int Executions(string method, string pathPrefix) =>
        _requests.Count(r => r.Executed && r.Method == method && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    /// <summary>
    /// Ends a PaymentIntent's asynchronous part (the customer passed or failed 3-D Secure, a bank debit cleared) and,
    /// unless told otherwise, delivers the matching webhook. Returns the event (for tests that deliver it themselves).
    /// </summary>
    public async Task<(string Payload, string EventId)> SettleAsync(string intentId, bool succeed, bool deliver = true)
    {
        JsonObject data;
        lock (_intents)
        {
            var intent = _intents[intentId];
            if (succeed)
            {
                if (intent.Status != "succeeded")
                    intent.Captures++;
                intent.Status = "succeeded";
                intent.ChargeId ??= NewId("ch");
            }
            else
            {
                intent.Status = "requires_payment_method";
                intent.LastPaymentError = CardError("card_declined", "generic_decline", "Your card was declined.");
            }
            data = ToJson(intent);
        }
        var type = succeed ? EventTypes.PaymentIntentSucceeded : EventTypes.PaymentIntentPaymentFailed;
        var payload = EventJson(type, data, out var eventId);
        if (deliver)
            await DeliverAsync(eventId, type, payload);
        return (payload, eventId);
    }

    /// <summary>A Stripe event envelope around an object, with this fake's API version and a fresh id.</summary>
    public static string EventJson(string type, JsonObject data, out string eventId)
    {
        eventId = NewId("evt");
        var envelope = new JsonObject
        {
            ["id"] = eventId,
            ["object"] = "event",
            ["api_version"] = StripeConfiguration.ApiVersion,
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
            ["data"] = new JsonObject { ["object"] = data },
        };
        return envelope.ToJsonString();
    }

    public string Sign(string payload, DateTimeOffset? at = null) =>
        EventUtility.GenerateSignatureHeader(payload, WebhookSecret, (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds());

    async Task DeliverAsync(string eventId, string type, string payload)
    {
        if (WebhookUrl is not { } url)
            return;
        // Stripe retries failed deliveries; a few quick attempts are enough here.
        for (var attempt = 1; attempt <= 3; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                request.Headers.Add("Stripe-Signature", Sign(payload));
                using var response = await _webhookClient.SendAsync(request);
                _deliveries.Enqueue(new WebhookDelivery(eventId, type, (int)response.StatusCode));
                if (response.IsSuccessStatusCode)
                    return;
            }
            catch (HttpRequestException)
            {
                _deliveries.Enqueue(new WebhookDelivery(eventId, type, 0));
            }
            await Task.Delay(500 * attempt);
        }
    }

    void DeliverInBackground(string type, JsonObject data)
    {
        if (WebhookUrl is null)
            return;
        var payload = EventJson(type, data, out var eventId);
        _ = Task.Run(() => DeliverAsync(eventId, type, payload));
    }

    // ------------------------------------------------------------------ HTTP

    async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        context.Response.Headers["Request-Id"] = NewId("req");

        if (request.Headers.Authorization.ToString() != $"Bearer {SecretKey}")
        {
            await Write(context, 401, Error("invalid_request_error", null, "Invalid API Key provided."));
            return;
        }

        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var parameters = form?.ToDictionary(f => f.Key, f => f.Value.ToString()) ?? new Dictionary<string, string>();
        var key = request.Headers["Idempotency-Key"].ToString();
        var idempotencyKey = request.Method == "POST" && key.Length > 0 ? key : null;

        int status;
        string json;
        await _gate.WaitAsync();
        try
        {
            var fingerprint = request.Method + " " + path + "?" + string.Join("&", parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
            if (idempotencyKey is not null && _idempotency.TryGetValue(idempotencyKey, out var stored))
            {
                if (stored.Fingerprint != fingerprint)
                {
                    Record(request.Method, path, idempotencyKey, 400, replayed: false, executed: false);
                    await Write(context, 400, Error("idempotency_error", null,
                        "Keys for idempotent requests can only be used with the same parameters they were first used with."));
                    return;
                }
                context.Response.Headers["Idempotent-Replayed"] = "true";
                Record(request.Method, path, idempotencyKey, stored.Status, replayed: true, executed: false);
                await WriteRaw(context, stored.Status, stored.Body);
                return;
            }

            var fault = request.Method == "POST" ? TakeFault(path) : null;
            if (fault == FaultTiming.BeforeExecuting)
            {
                Record(request.Method, path, idempotencyKey, 500, replayed: false, executed: false);
                await Write(context, 500, Error("api_error", null, "An unknown error occurred (injected before executing)."));
                return;
            }

            (status, var body) = Execute(request.Method, path, parameters);
            json = body.ToJsonString();
            if (idempotencyKey is not null && status != 404)
                _idempotency[idempotencyKey] = new StoredResult(fingerprint, status, json);

            if (fault == FaultTiming.AfterExecuting)
            {
                Record(request.Method, path, idempotencyKey, 500, replayed: false, executed: true);
                await Write(context, 500, Error("api_error", null, "An unknown error occurred (injected after executing)."));
                return;
            }
            Record(request.Method, path, idempotencyKey, status, replayed: false, executed: true);
        }
        finally
        {
            _gate.Release();
        }

        if (_hold is { } hold && hold.Matches(request.Method, path))
            await hold.Hold();
        try
        {
            await WriteRaw(context, status, json);
        }
        catch (Exception exception) when (exception is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The caller is gone (a test crashed it): like Stripe, the work is done and the key remembers it.
        }
    }

    FaultTiming? TakeFault(string path)
    {
        lock (_faults)
            return _faultPath is not null && path.StartsWith(_faultPath, StringComparison.Ordinal) && _faults.Count > 0 ? _faults.Dequeue() : null;
    }

    (int Status, JsonObject Body) Execute(string method, string path, Dictionary<string, string> form)
    {
        var segments = path.Trim('/').Split('/');
        lock (_intents)
        {
            return (method, segments) switch
            {
                ("POST", ["v1", "payment_intents"]) => CreateIntent(form),
                ("POST", ["v1", "payment_intents", var id, "confirm"]) => ConfirmIntent(id, form),
                ("GET", ["v1", "payment_intents", var id]) => _intents.TryGetValue(id, out var intent)
                    ? (200, ToJson(intent))
                    : Missing("payment_intent", id),
                ("POST", ["v1", "refunds"]) => CreateRefund(form),
                _ => (404, Error("invalid_request_error", "resource_missing", $"Unrecognized request URL ({method}: {path}).")),
            };
        }
    }

    (int, JsonObject) CreateIntent(Dictionary<string, string> form)
    {
        if (!long.TryParse(form.GetValueOrDefault("amount"), out var amount) || amount < 1)
            return (400, Error("invalid_request_error", "parameter_missing", "Missing required param: amount.", "amount"));
        if (form.GetValueOrDefault("currency") is not { Length: 3 } currency)
            return (400, Error("invalid_request_error", "parameter_missing", "Missing required param: currency.", "currency"));

        var intent = new Intent
        {
            Id = NewId("pi"),
            Amount = amount,
            Currency = currency,
            Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            Metadata = form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value),
        };
        _intents[intent.Id] = intent;
        if (form.GetValueOrDefault("payment_method") is { Length: > 0 } method)
        {
            intent.PaymentMethod = method;
            intent.Status = "requires_confirmation";
            if (form.GetValueOrDefault("confirm") == "true")
                return Confirm(intent);
        }
        return (200, ToJson(intent));
    }

    (int, JsonObject) ConfirmIntent(string id, Dictionary<string, string> form)
    {
        if (!_intents.TryGetValue(id, out var intent))
            return Missing("payment_intent", id);
        if (intent.Status is "succeeded" or "canceled" or "processing")
            return (400, Error("invalid_request_error", "payment_intent_unexpected_state",
                $"This PaymentIntent's status is {intent.Status}, so it cannot be confirmed."));
        if (form.GetValueOrDefault("payment_method") is { Length: > 0 } method)
            intent.PaymentMethod = method;
        if (intent.PaymentMethod is null)
            return (400, Error("invalid_request_error", "payment_intent_unexpected_state", "You cannot confirm this PaymentIntent because it's missing a payment method."));
        return Confirm(intent);
    }

    /// <summary>Stripe's test payment methods: the outcome depends on the card.</summary>
    (int, JsonObject) Confirm(Intent intent)
    {
        var method = intent.PaymentMethod!;
        if (!method.StartsWith("pm_", StringComparison.Ordinal))
            return (400, Error("invalid_request_error", "resource_missing", $"No such PaymentMethod: '{method}'", "payment_method"));

        var decline = method switch
        {
            "pm_card_chargeDeclined" or "pm_card_visa_chargeDeclined" => ("generic_decline", "Your card was declined."),
            "pm_card_insufficientFunds" or "pm_card_visa_chargeDeclinedInsufficientFunds" => ("insufficient_funds", "Your card has insufficient funds."),
            _ => ((string, string)?)null,
        };
        if (decline is { } found)
        {
            var (declineCode, message) = found;
            intent.Status = "requires_payment_method";
            intent.ChargeId = NewId("ch");
            intent.LastPaymentError = CardError("card_declined", declineCode, message);
            var error = (JsonObject)intent.LastPaymentError.DeepClone();
            error["charge"] = intent.ChargeId;
            error["payment_intent"] = ToJson(intent);
            DeliverInBackground(EventTypes.PaymentIntentPaymentFailed, ToJson(intent));
            return (402, new JsonObject { ["error"] = error });
        }

        if (method is "pm_card_authenticationRequired" or "pm_card_threeDSecure2Required")
        {
            intent.Status = "requires_action";
            return (200, ToJson(intent));
        }

        intent.Status = "succeeded";
        intent.Captures++;
        intent.ChargeId = NewId("ch");
        intent.LastPaymentError = null;
        DeliverInBackground(EventTypes.PaymentIntentSucceeded, ToJson(intent));
        return (200, ToJson(intent));
    }

    (int, JsonObject) CreateRefund(Dictionary<string, string> form)
    {
        var id = form.GetValueOrDefault("payment_intent") ?? "";
        if (!_intents.TryGetValue(id, out var intent))
            return Missing("payment_intent", id);
        if (intent.Status != "succeeded")
            return (400, Error("invalid_request_error", "charge_not_refundable", "This PaymentIntent has no successful charge to refund."));
        var remaining = intent.Amount - intent.AmountRefunded;
        if (remaining == 0)
            return (400, Error("invalid_request_error", "charge_already_refunded", $"Charge {intent.ChargeId} has already been refunded."));
        var amount = form.TryGetValue("amount", out var value) ? long.Parse(value) : remaining;
        if (amount < 1 || amount > remaining)
            return (400, Error("invalid_request_error", "amount_too_large",
                $"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining}).", "amount"));

        intent.AmountRefunded += amount;
        var refund = new JsonObject
        {
            ["id"] = NewId("re"),
            ["object"] = "refund",
            ["amount"] = amount,
            ["currency"] = intent.Currency,
            ["charge"] = intent.ChargeId,
            ["payment_intent"] = intent.Id,
            ["status"] = "succeeded",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["metadata"] = Metadata(form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal))
                .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value)),
        };
        _refunds[(string)refund["id"]!] = refund;
        DeliverInBackground(EventTypes.ChargeRefunded, ChargeJson(intent));
        return (200, (JsonObject)refund.DeepClone());
    }

    static JsonObject ToJson(Intent intent) => new()
    {
        ["id"] = intent.Id,
        ["object"] = "payment_intent",
        ["amount"] = intent.Amount,
        ["amount_received"] = intent.Status == "succeeded" ? intent.Amount : 0,
        ["currency"] = intent.Currency,
        ["status"] = intent.Status,
        ["capture_method"] = "automatic",
        ["confirmation_method"] = "automatic",
        ["payment_method"] = intent.PaymentMethod,
        ["latest_charge"] = intent.ChargeId,
        ["last_payment_error"] = intent.LastPaymentError?.DeepClone(),
        ["client_secret"] = intent.Id + "_secret_fake",
        ["created"] = intent.Created,
        ["livemode"] = false,
        ["metadata"] = Metadata(intent.Metadata),
        ["next_action"] = intent.Status == "requires_action"
            ? new JsonObject { ["type"] = "use_stripe_sdk", ["use_stripe_sdk"] = new JsonObject() }
            : null,
    };

    /// <summary>A charge as charge.refunded carries it (Stripe no longer embeds the refunds list).</summary>
    static JsonObject ChargeJson(Intent intent) => new()
    {
        ["id"] = intent.ChargeId,
        ["object"] = "charge",
        ["amount"] = intent.Amount,
        ["amount_captured"] = intent.Amount,
        ["amount_refunded"] = intent.AmountRefunded,
        ["currency"] = intent.Currency,
        ["captured"] = true,
        ["paid"] = true,
        ["refunded"] = intent.AmountRefunded == intent.Amount,
        ["status"] = "succeeded",
        ["payment_intent"] = intent.Id,
        ["created"] = intent.Created,
        ["livemode"] = false,
        ["metadata"] = Metadata(intent.Metadata),
    };

    public JsonObject ChargeOf(string intentId)
    {
        lock (_intents)
            return ChargeJson(_intents[intentId]);
    }

    static JsonObject Metadata(Dictionary<string, string> values)
    {
        var json = new JsonObject();
        foreach (var (key, value) in values)
            json[key] = value;
        return json;
    }

    static JsonObject CardError(string code, string declineCode, string message) => new()
    {
        ["type"] = "card_error",
        ["code"] = code,
        ["decline_code"] = declineCode,
        ["message"] = message,
        ["doc_url"] = $"https://stripe.com/docs/error-codes/{code.Replace('_', '-')}",
    };

    static JsonObject Error(string type, string? code, string message, string? param = null)
    {
        var error = new JsonObject { ["type"] = type, ["message"] = message };
        if (code is not null)
            error["code"] = code;
        if (param is not null)
            error["param"] = param;
        return new JsonObject { ["error"] = error };
    }

    static (int, JsonObject) Missing(string what, string id) =>
        (404, Error("invalid_request_error", "resource_missing", $"No such {what}: '{id}'", "id"));

    void Record(string method, string path, string? key, int status, bool replayed, bool executed) =>
        _requests.Enqueue(new RecordedRequest(method, path, key, status, replayed, executed));

    static Task Write(HttpContext context, int status, JsonObject body) => WriteRaw(context, status, body.ToJsonString());

    static async Task WriteRaw(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    static string NewId(string prefix) => $"{prefix}_fake{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";


    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _webhookClient.Dispose();
        _gate.Dispose();
    }
}
