using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Shop.BuildingBlocks.Operations;
using Shop.Contracts;
using Shop.Contracts.Carts;
using Shop.Contracts.Inventory;
using Shop.Contracts.Payments;
using Shop.OrderSaga.Checkout;
using Shop.OrderSaga.Orders.Projections;
using Shop.OrderSaga.Orders.PublishingStatus;
using Shop.OrderSaga.Tests.Persistence;
using Shop.Testing;
using Xunit;

namespace Shop.OrderSaga.Tests.Operations;

/// <summary>
/// The operator endpoints (/admin/...) of the real OrderSaga service, in-process over real PostgreSQL and RabbitMQ:
/// time travel, projection rebuilds under load, subscription rewinds, sagas.
/// </summary>
public sealed class OperationsEndpointTests(OrderSagaHostFixture fixture) : IClassFixture<OrderSagaHostFixture>
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    readonly OrderSagaHost _host = fixture.Host;
    IDocumentStore Store => _host.Services.GetRequiredService<IDocumentStore>();

    [Fact]
    public async Task Time_travel_returns_the_order_as_it_was_at_a_version_or_a_time()
    {
        var customer = Guid.NewGuid();
        var orderId = await PlaceOrder(customer, "ada@shop.test");
        // The saga hands the checkout's user on with the commands it sends; the services answer with it (stamped here).
        await OrderSagaHost.Eventually(async () => _host.ReserveStock.Any(c => c.Message.OrderId == orderId), "ReserveStock sent");
        var reserve = _host.ReserveStock.Single(c => c.Message.OrderId == orderId);
        Assert.Equal("ada@shop.test", reserve.Headers.Get<string>(ActingUser.MessageHeader));
        Assert.Equal(customer.ToString(), reserve.Headers.Get<string>(ActingUser.MessageIdHeader));
        await _host.Bus.Publish(new StockReserved(orderId, DateTimeOffset.UtcNow.AddMinutes(15)), c => StampUser(c, customer, "ada@shop.test"));
        await WaitForSaga(orderId, nameof(CheckoutStateMachine.AwaitingPayment));
        await _host.Bus.Publish(new PaymentCaptured(orderId, "pi_1", "simulated", 42m, "EUR"), c => StampUser(c, customer, "ada@shop.test"));
        await WaitForSaga(orderId, nameof(CheckoutStateMachine.Confirmed));
        using var admin = Admin();

        var stream = await Get(admin, $"admin/streams/{orderId}");
        var events = stream.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["OrderPlaced", "OrderStockReserved", "OrderPaymentCaptured", "OrderConfirmed"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal([1L, 2L, 3L, 4L], events.Select(e => e.GetProperty("version").GetInt64()));
        Assert.All(events, e => Assert.True(e.GetProperty("sequence").GetInt64() > 0));
        Assert.All(events, e => Assert.Equal(orderId.ToString(), e.GetProperty("correlationId").GetString()));
        Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.GetProperty("causationId").GetString())));
        // The user who checked out travels with the messages of the checkout, so every event of the order names them.
        Assert.All(events, e => Assert.Equal("ada@shop.test", e.GetProperty("user").GetString()));

        Assert.Equal("Placed", (await State(admin, orderId, "version=1")).GetProperty("status").GetString());
        var second = await State(admin, orderId, "version=2");
        Assert.Equal("StockReserved", second.GetProperty("status").GetString());
        Assert.Null(second.GetProperty("payment").GetProperty("paymentId").GetString());
        Assert.Equal("PaymentCaptured", (await State(admin, orderId, "version=3")).GetProperty("status").GetString());
        Assert.Equal("Confirmed", (await State(admin, orderId, "")).GetProperty("status").GetString());

        var secondEventAt = events[1].GetProperty("timestamp").GetDateTimeOffset();
        var atTime = await Get(admin, $"admin/streams/{orderId}/state?at={Uri.EscapeDataString(secondEventAt.ToString("O"))}");
        Assert.Equal(2, atTime.GetProperty("version").GetInt64());
        Assert.Equal("StockReserved", atTime.GetProperty("state").GetProperty("status").GetString());

        // Asking about what does not exist is a clear client error, never a 500.
        await AssertStatus(admin, $"admin/streams/{Guid.NewGuid()}/state?version=1", HttpStatusCode.NotFound);
        await AssertStatus(admin, $"admin/streams/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await AssertStatus(admin, $"admin/streams/{orderId}/state?version=99", HttpStatusCode.UnprocessableEntity);
        await AssertStatus(admin, $"admin/streams/{orderId}/state?at={Uri.EscapeDataString(secondEventAt.AddHours(-1).ToString("O"))}",
            HttpStatusCode.UnprocessableEntity);
        await AssertStatus(admin, $"admin/streams/{orderId}/state?version=0", HttpStatusCode.BadRequest);
        await AssertStatus(admin, $"admin/streams/{orderId}/state?version=1&at=2026-01-01T00:00:00Z", HttpStatusCode.BadRequest);
        await AssertStatus(admin, $"admin/streams/{orderId}/state?version=abc", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Streams_are_listed_by_customer_and_status_with_paging()
    {
        var customer = Guid.NewGuid();
        var orders = new List<Guid>();
        for (var i = 0; i < 3; i++)
            orders.Add(await PlaceOrder(customer, "grace@shop.test"));
        await _host.Bus.Publish(new StockReservationFailed(orders[0], "OutOfStock", []));
        await WaitForSaga(orders[0], nameof(CheckoutStateMachine.Failed));
        await WaitForProjection(orders[0], "Failed");
        foreach (var order in orders.Skip(1))
            await WaitForProjection(order, "Placed");
        using var admin = Admin();

        var all = await Get(admin, $"admin/streams?type=order&customer={customer}&pageSize=2");
        Assert.Equal(3, all.GetProperty("total").GetInt64());
        var firstPage = Ids(all);
        Assert.Equal(2, firstPage.Count);
        var secondPage = Ids(await Get(admin, $"admin/streams?type=order&customer={customer}&pageSize=2&page=2"));
        Assert.Single(secondPage);
        Assert.Equal(orders.Order(), firstPage.Concat(secondPage).Order());

        var failed = await Get(admin, $"admin/streams?type=order&customer={customer}&status=failed");
        Assert.Equal([orders[0]], Ids(failed));
        var tomorrow = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"));
        Assert.Equal(0, (await Get(admin, $"admin/streams?type=order&customer={customer}&from={tomorrow}")).GetProperty("total").GetInt64());

        await AssertStatus(admin, "admin/streams?type=spaceship", HttpStatusCode.BadRequest);
        await AssertStatus(admin, "admin/streams?type=order&pageSize=0", HttpStatusCode.BadRequest);
        await AssertStatus(admin, "admin/streams?type=order&page=0", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Rebuilding_the_order_projection_restores_identical_documents_while_new_orders_keep_flowing()
    {
        var before = new List<Guid>();
        for (var i = 0; i < 6; i++)
            before.Add(await PlaceOrder(Guid.NewGuid(), $"rebuild-{i}@shop.test"));
        // A few different histories: failed, reserved, reserved + captured (confirmed).
        await _host.Bus.Publish(new StockReservationFailed(before[0], "OutOfStock", []));
        foreach (var order in before.Skip(1).Take(3))
            await _host.Bus.Publish(new StockReserved(order, DateTimeOffset.UtcNow.AddMinutes(15)));
        await WaitForSaga(before[3], nameof(CheckoutStateMachine.AwaitingPayment));
        await _host.Bus.Publish(new PaymentCaptured(before[3], "pi_rebuild", "simulated", 42m, "EUR"));
        await WaitForSaga(before[3], nameof(CheckoutStateMachine.Confirmed));
        await WaitForSaga(before[0], nameof(CheckoutStateMachine.Failed));
        foreach (var order in before)
            await WaitUntilProjectedAsFolded(order);
        var original = await ReadModel(before);

        // An operator loses the read model...
        await using (var session = Store.LightweightSession())
        {
            session.DeleteWhere<OrderDetails>(_ => true);
            await session.SaveChangesAsync();
        }
        Assert.Empty(await ReadModel(before));

        // ...and rebuilds it while customers keep checking out.
        using var stopFlow = new CancellationTokenSource();
        var during = new List<Guid>();
        var flow = Task.Run(async () =>
        {
            while (!stopFlow.IsCancellationRequested)
            {
                during.Add(await PlaceOrder(Guid.NewGuid(), "during@shop.test"));
                await Task.Delay(150);
            }
        });
        using var admin = Admin();
        using (var started = await admin.PostAsync("admin/projections/OrderDetails/rebuild", null))
        {
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            // Normally still running when answered; a tiny read model may already be done.
            Assert.Contains((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString(), new[] { "Running", "Succeeded" });
        }
        var deadline = DateTime.UtcNow + Patience;
        JsonElement status;
        do
        {
            await Task.Delay(200);
            status = await Get(admin, "admin/projections/OrderDetails/rebuild");
        } while (status.GetProperty("state").GetString() == "Running" && DateTime.UtcNow < deadline);
        Assert.Equal("Succeeded", status.GetProperty("state").GetString());
        Assert.Equal(100, status.GetProperty("percent").GetDouble());
        await Task.Delay(500); // a few more orders after the rebuild finished
        await stopFlow.CancelAsync();
        await flow;
        var after = await PlaceOrder(Guid.NewGuid(), "after@shop.test");
        // Orders kept coming after the rebuild had taken its high-water mark: the daemon carried on with them.
        var target = status.GetProperty("target").GetInt64();
        var placedAfterMark = 0;
        await using (var session = Store.QuerySession())
        {
            foreach (var order in during)
                if ((await session.Events.FetchStreamAsync(order))[0].Sequence > target)
                    placedAfterMark++;
        }
        Assert.True(placedAfterMark > 0, $"none of the {during.Count} orders placed during the rebuild came after its mark {target}");

        foreach (var order in before.Concat(during).Append(after))
            await WaitUntilProjectedAsFolded(order);
        var rebuilt = await ReadModel(before);
        Assert.Equal(original.Keys.Order(), rebuilt.Keys.Order());
        foreach (var (id, document) in original)
            Assert.True(JsonNode.DeepEquals(document, rebuilt[id]), $"OrderDetails {id} differs after the rebuild:\n{document}\n{rebuilt[id]}");
        // The new orders were processed all along: each one's saga asked inventory to reserve its stock.
        foreach (var order in during.Append(after))
            await OrderSagaHost.Eventually(async () => _host.ReserveStock.Any(c => c.Message.OrderId == order), $"ReserveStock for {order}", Patience);

        var projections = await Get(admin, "admin/projections");
        var orderDetails = projections.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "OrderDetails");
        Assert.Equal("Async", orderDetails.GetProperty("lifecycle").GetString());
        Assert.True(orderDetails.GetProperty("rebuildable").GetBoolean());
        await AssertStatus(admin, "admin/projections/NoSuchProjection/rebuild", HttpStatusCode.NotFound, HttpMethod.Post);
    }

    [Fact]
    public async Task A_rewound_subscription_delivers_the_same_changes_again()
    {
        var orderId = await PlaceOrder(Guid.NewGuid(), "rewind@shop.test");
        await _host.Bus.Publish(new StockReserved(orderId, DateTimeOffset.UtcNow.AddMinutes(15)));
        await OrderSagaHost.Eventually(async () => Changes(orderId).Count == 2, "Placed and StockReserved relayed", Patience);
        var first = Changes(orderId);
        Assert.Equal(["Placed", "StockReserved"], first.Select(c => c.Status));
        Assert.Equal([1L, 2L], first.Select(c => c.Version));
        // Each page's message id follows from its changes: a page read again is the same message to an inbox.
        Assert.All(_host.StatusChanges.Where(p => p.Message.Changes.Any(c => c.OrderId == orderId)),
            page => Assert.Equal(OrderStatusRelay.MessageIdFor(page.Message.Changes), page.MessageId));
        using var admin = Admin();

        var relay = (await Get(admin, "admin/subscriptions")).EnumerateArray()
            .Single(s => s.GetProperty("name").GetString() == OrderStatusRelay.SubscriptionName);
        await OrderSagaHost.Eventually(async () => await RelayLag(admin) == 0, "relay caught up", Patience);
        long firstSequence;
        await using (var session = Store.QuerySession())
            firstSequence = (await session.Events.FetchStreamAsync(orderId))[0].Sequence;

        using (var rewound = await admin.PostAsJsonAsync($"admin/subscriptions/{OrderStatusRelay.SubscriptionName}/rewind", new { to = firstSequence - 1 }))
        {
            Assert.Equal(HttpStatusCode.OK, rewound.StatusCode);
            Assert.Equal(firstSequence - 1, (await rewound.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("to").GetInt64());
        }

        // Delivered again with the same contents (possibly cut into other pages): followers recognise them by (order, version).
        await OrderSagaHost.Eventually(async () => Changes(orderId).Count == 4, "the rewound changes re-delivered", Patience);
        var again = Changes(orderId).Skip(2).ToList();
        Assert.Equal(first, again);
        Assert.Equal("event-subscription", relay.GetProperty("kind").GetString());

        await AssertStatus(admin, "admin/subscriptions/NoSuchRelay/rewind", HttpStatusCode.NotFound, HttpMethod.Post, new { to = 0 });
        await AssertStatus(admin, "admin/subscriptions/outbox-relay/rewind", HttpStatusCode.Conflict, HttpMethod.Post, new { to = 0 });
        await AssertStatus(admin, $"admin/subscriptions/{OrderStatusRelay.SubscriptionName}/rewind", HttpStatusCode.BadRequest, HttpMethod.Post, new { });
        await AssertStatus(admin, $"admin/subscriptions/{OrderStatusRelay.SubscriptionName}/rewind", HttpStatusCode.UnprocessableEntity, HttpMethod.Post,
            new { to = long.MaxValue });
    }

    [Fact]
    public async Task Sagas_show_their_state_and_versions_and_stuck_ones_are_found()
    {
        var orderId = await PlaceOrder(Guid.NewGuid(), "saga@shop.test");
        using var admin = Admin();

        var saga = await Get(admin, $"admin/sagas/{orderId}");
        Assert.Equal(nameof(CheckoutStateMachine.AwaitingStock), saga.GetProperty("state").GetString());
        Assert.False(saga.GetProperty("finished").GetBoolean());
        Assert.Equal(1, saga.GetProperty("streamVersion").GetInt64());
        Assert.NotEqual(Guid.Empty, saga.GetProperty("documentVersion").GetGuid());

        // Waiting for stock for longer than the threshold is stuck; a zero threshold makes this one count.
        var stuck = await Get(admin, "admin/sagas/stuck?olderThan=00:00:00");
        Assert.Contains(stuck.EnumerateArray(), s => s.GetProperty("id").GetGuid() == orderId);
        var patient = await Get(admin, "admin/sagas/stuck?olderThan=01:00:00");
        Assert.DoesNotContain(patient.EnumerateArray(), s => s.GetProperty("id").GetGuid() == orderId);

        await _host.Bus.Publish(new StockReservationFailed(orderId, "OutOfStock", []));
        await WaitForSaga(orderId, nameof(CheckoutStateMachine.Failed));
        Assert.True((await Get(admin, $"admin/sagas/{orderId}")).GetProperty("finished").GetBoolean());
        Assert.DoesNotContain((await Get(admin, "admin/sagas/stuck?olderThan=00:00:00")).EnumerateArray(), s => s.GetProperty("id").GetGuid() == orderId);

        await AssertStatus(admin, $"admin/sagas/{Guid.NewGuid()}", HttpStatusCode.NotFound);
        await AssertStatus(admin, "admin/sagas/stuck?olderThan=-00:01:00", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Operator_endpoints_answer_only_admins()
    {
        using var anonymous = _host.CreateClient();
        await AssertStatus(anonymous, "admin/streams?type=order", HttpStatusCode.Unauthorized);
        await AssertStatus(anonymous, "admin/projections", HttpStatusCode.Unauthorized);

        using var customer = _host.CreateClient();
        customer.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", TestTokens.Create(_host.JwtSigningKey, Guid.NewGuid(), "eve@shop.test", "customer"));
        await AssertStatus(customer, "admin/streams?type=order", HttpStatusCode.Forbidden);
        await AssertStatus(customer, "admin/projections/OrderDetails/rebuild", HttpStatusCode.Forbidden, HttpMethod.Post);
        await AssertStatus(customer, $"admin/subscriptions/{OrderStatusRelay.SubscriptionName}/rewind", HttpStatusCode.Forbidden, HttpMethod.Post,
            new { to = 0 });

        using var openApi = await anonymous.GetAsync("openapi/v1.json");
        var document = await openApi.Content.ReadAsStringAsync();
        Assert.Contains("/admin/streams/{id}/state", document);
        Assert.Contains("/admin/projections/{name}/rebuild", document);
        Assert.Contains("/admin/subscriptions/{name}/rewind", document);
    }

    async Task<Guid> PlaceOrder(Guid customerId, string email)
    {
        var orderId = NewId.NextGuid();
        await _host.Bus.Publish(new CheckoutRequested(orderId, NewId.NextGuid(), customerId, email, "Customer",
            [new OrderLine(NewId.NextGuid(), "MUG-1", "Mug", 21m, 2)], 42m, "EUR", "pm_card_visa", null, DateTimeOffset.UtcNow),
            context => StampUser(context, customerId, email));
        await WaitForSaga(orderId, nameof(CheckoutStateMachine.AwaitingStock));
        return orderId;
    }

    /// <summary>As the cart service's outbox stamps the authenticated customer on the messages of a request.</summary>
    static void StampUser(PublishContext context, Guid userId, string email)
    {
        context.Headers.Set(ActingUser.MessageHeader, email);
        context.Headers.Set(ActingUser.MessageIdHeader, userId.ToString());
    }

    List<Contracts.Orders.OrderStatusChanged> Changes(Guid orderId) =>
        _host.StatusChanges.SelectMany(page => page.Message.Changes).Where(c => c.OrderId == orderId).ToList();

    async Task<long> RelayLag(HttpClient admin) =>
        (await Get(admin, "admin/subscriptions")).EnumerateArray()
        .Single(s => s.GetProperty("name").GetString() == OrderStatusRelay.SubscriptionName).GetProperty("lag").GetInt64();

    async Task WaitForSaga(Guid orderId, string state) =>
        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<CheckoutState>(orderId))?.CurrentState == state;
        }, $"saga {orderId} in {state}", Patience);

    async Task WaitForProjection(Guid orderId, string status) =>
        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            return (await session.LoadAsync<OrderDetails>(orderId))?.Status == status;
        }, $"OrderDetails {orderId} projected as {status}", Patience);

    /// <summary>Waits until the stored read model equals the stream folded right now (the daemon has caught up with it).</summary>
    async Task WaitUntilProjectedAsFolded(Guid orderId) =>
        await OrderSagaHost.Eventually(async () =>
        {
            await using var session = Store.QuerySession();
            var stored = await session.LoadAsync<OrderDetails>(orderId);
            var folded = await session.Events.AggregateStreamAsync<OrderDetails>(orderId);
            return stored is not null && folded is not null && stored.Version == folded.Version && stored.Status == folded.Status;
        }, $"OrderDetails {orderId} caught up with its stream", Patience);

    /// <summary>The stored documents of these orders, exactly as Marten keeps them (jsonb).</summary>
    async Task<Dictionary<Guid, JsonNode>> ReadModel(IReadOnlyCollection<Guid> orders)
    {
        await using var connection = new NpgsqlConnection(_host.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("select id, data::text from orders.mt_doc_orderdetails where id = any(@ids)", connection);
        command.Parameters.AddWithValue("ids", orders.ToArray());
        var documents = new Dictionary<Guid, JsonNode>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            documents[reader.GetGuid(0)] = JsonNode.Parse(reader.GetString(1))!;
        return documents;
    }

    HttpClient Admin()
    {
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", TestTokens.Create(_host.JwtSigningKey, Guid.NewGuid(), "operator@shop.test", "admin"));
        return client;
    }

    static List<Guid> Ids(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()).ToList();

    static async Task<JsonElement> State(HttpClient admin, Guid orderId, string query) =>
        (await Get(admin, $"admin/streams/{orderId}/state?{query}")).GetProperty("state");

    static async Task<JsonElement> Get(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path);
        await ShopApi.EnsureSuccess(response);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    static async Task AssertStatus(HttpClient client, string path, HttpStatusCode expected, HttpMethod? method = null, object? body = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, path);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        using var response = await client.SendAsync(request);
        Assert.True(response.StatusCode == expected,
            $"{request.Method} {path}: expected {(int)expected}, got {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if ((int)expected >= 400 && expected != HttpStatusCode.Unauthorized && expected != HttpStatusCode.Forbidden)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
