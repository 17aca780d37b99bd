using Microsoft.Net.Http.Headers;

namespace Shop.CartService.Carts;

/// <summary>
/// The cart's entity tag: cart id and stream version, so a tag of a checked-out cart never matches the fresh cart that
/// follows it, even at the same version number.
/// </summary>
public static class CartETag
{
    /// <summary>The tag of "no current cart yet" (an empty cart that has no stream).</summary>
    public const string None = "\"none\"";

    public static string For(Cart? cart) => cart is { IsCurrent: true } ? For(cart.Id, cart.Version) : None;

    public static string For(Guid cartId, long version) => $"\"{cartId:N}.{version}\"";

    public static bool TryRead(string tag, out Guid cartId, out long version)
    {
        cartId = Guid.Empty;
        version = 0;
        var parts = tag.Trim('"').Split('.');
        return parts.Length == 2 && Guid.TryParseExact(parts[0], "N", out cartId) && long.TryParse(parts[1], out version) && version > 0;
    }
}

/// <summary>The client's If-Match: absent (no condition), "*" (any), or the tags of the cart versions it expects.</summary>
public sealed record CartPrecondition(IReadOnlyList<string>? Tags)
{
    public static CartPrecondition None { get; } = new((IReadOnlyList<string>?)null);

    public bool IsPinned => Tags is not null && !Tags.Contains("*");

    /// <summary>False when If-Match is present but not a list of entity tags.</summary>
    public static bool TryRead(HttpRequest request, out CartPrecondition precondition)
    {
        precondition = None;
        var header = request.Headers.IfMatch;
        if (header.Count == 0)
            return true;
        if (!EntityTagHeaderValue.TryParseList(header, out var tags) || tags.Count == 0)
            return false;
        // Weak tags never match in If-Match (strong comparison); keep them out so they cannot.
        precondition = new CartPrecondition(tags.Where(t => !t.IsWeak).Select(t => t.Tag.ToString()).ToList());
        return true;
    }

    public bool Holds(Cart? current) => Tags is null || Tags.Contains("*") || Tags.Contains(CartETag.For(current));

    /// <summary>The one specific cart version the client named, if it named exactly one.</summary>
    public (Guid CartId, long Version)? PinnedVersion =>
        IsPinned && Tags!.Count == 1 && CartETag.TryRead(Tags[0], out var cartId, out var version) ? (cartId, version) : null;
}
