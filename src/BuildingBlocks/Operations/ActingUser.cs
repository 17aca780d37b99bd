using System.Security.Claims;
using Marten;
using MassTransit;
using Microsoft.AspNetCore.Http;
using Shop.BuildingBlocks.Security;
using Shop.Messaging;

namespace Shop.BuildingBlocks.Operations;

/// <summary>
/// Who caused a change, recorded on every event as Marten headers so operators can see it in `streams show`.
/// HTTP requests take it from the authenticated principal; the messages they send carry it on (message headers), so
/// consumers down the causation chain record the same user.
/// </summary>
public static class ActingUser
{
    /// <summary>Marten event header: the user's email (or id when the token has none).</summary>
    public const string EventHeader = "user";

    /// <summary>Marten event header: the user's id (token subject).</summary>
    public const string EventIdHeader = "user-id";

    /// <summary>MassTransit message headers carrying the acting user from service to service.</summary>
    public const string MessageHeader = "Shop-User";

    public const string MessageIdHeader = "Shop-User-Id";

    public static (string? Id, string? Name) From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
            return (null, null);
        var id = user.FindFirstValue(ShopClaims.Subject);
        var email = user.GetEmail();
        return (id, string.IsNullOrEmpty(email) ? id : email);
    }

    public static (string? Id, string? Name) From(Headers headers) =>
        (headers.Get<string>(MessageIdHeader), headers.Get<string>(MessageHeader));

    public static void Stamp(IDocumentSession session, (string? Id, string? Name) user)
    {
        if (user.Name is not null)
            session.SetHeader(EventHeader, user.Name);
        if (user.Id is not null)
            session.SetHeader(EventIdHeader, user.Id);
    }

    public static void Stamp(SendHeaders headers, (string? Id, string? Name) user)
    {
        // A message that already names its user (e.g. forwarded) keeps it.
        if (user.Name is not null && headers.Get<string>(MessageHeader) is null)
            headers.Set(MessageHeader, user.Name);
        if (user.Id is not null && headers.Get<string>(MessageIdHeader) is null)
            headers.Set(MessageIdHeader, user.Id);
    }
}

/// <summary>Scoped Marten sessions that record the authenticated HTTP user on the events they append.</summary>
public sealed class ActingUserSessionFactory(IDocumentStore store, IHttpContextAccessor http) : ISessionFactory
{
    public IQuerySession QuerySession() => store.QuerySession();

    public IDocumentSession OpenSession()
    {
        var session = store.LightweightSession();
        ActingUser.Stamp(session, ActingUser.From(http.HttpContext?.User));
        return session;
    }
}

/// <summary>
/// Carries the acting user through the messaging core: a consumed message's user onto its session's events and onto
/// everything it sends; outside a consumer, the authenticated HTTP user onto what the request sends.
/// </summary>
public sealed class ActingUserPropagator(IHttpContextAccessor http) : Shop.Messaging.Outbox.IMessageContextPropagator
{
    public void Stamp(SendContext message, ConsumeContext? cause) =>
        ActingUser.Stamp(message.Headers, cause is null ? ActingUser.From(http.HttpContext?.User) : ActingUser.From(cause.Headers));

    public void Prepare(IDocumentSession session, ConsumeContext message) => ActingUser.Stamp(session, ActingUser.From(message.Headers));
}
