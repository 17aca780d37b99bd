namespace Shop.BuildingBlocks.Http;

/// <summary>
/// Bounds of every paged list: page and page size are validated against these before any arithmetic, so the row offset
/// (page - 1) * pageSize stays far inside an int whatever the client sends.
/// </summary>
public static class Paging
{
    /// <summary>The last page any list serves (100,000 pages of the largest page size is 20 million rows, well inside an int).</summary>
    public const int MaxPage = 100_000;

    /// <summary>Adds the page and pageSize errors, if any, to <paramref name="errors"/>.</summary>
    public static void Validate(int page, int pageSize, int maxPageSize, IDictionary<string, string[]> errors)
    {
        if (page is < 1 or > MaxPage)
            errors["page"] = [$"page must be between 1 and {MaxPage}."];
        if (pageSize < 1 || pageSize > maxPageSize)
            errors["pageSize"] = [$"pageSize must be between 1 and {maxPageSize}."];
    }

    /// <summary>The page's errors as a dictionary (empty when valid).</summary>
    public static Dictionary<string, string[]> Problems(int page, int pageSize, int maxPageSize)
    {
        var errors = new Dictionary<string, string[]>();
        Validate(page, pageSize, maxPageSize, errors);
        return errors;
    }

    /// <summary>Rows before the page; only for a page and size that passed <see cref="Validate"/>.</summary>
    public static int Skip(int page, int pageSize) => checked((page - 1) * pageSize);
}

/// <summary>Bounds of duration parameters (thresholds, look-backs): arithmetic with the clock must not overflow.</summary>
public static class Durations
{
    /// <summary>The longest duration any parameter takes: ten years.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(3650);

    public static string? Problem(TimeSpan value, string name) =>
        value < TimeSpan.Zero || value > Max ? $"{name} must be a duration between 00:00:00 and {Max.Days}.00:00:00 (ten years)." : null;
}
