namespace Shop.NotificationService.Notifications.Delivery;

/// <summary>How the dispatcher sends and retries (configuration section Notifications:Delivery).</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Notifications:Delivery";

    /// <summary>Attempts per notification before it is marked Failed.</summary>
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay after the first failed attempt; it doubles per attempt up to <see cref="MaxRetryDelay"/> (±20% jitter).</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a claimed attempt belongs to its dispatcher. One that dies mid-attempt leaves the notification due again
    /// after this. A send is given at most half of it, so a live dispatcher records its outcome well before.
    /// </summary>
    public TimeSpan ClaimTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often a dispatcher looks for due notifications when nothing woke it (commits on this instance do).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    public int BatchSize { get; set; } = 50;

    public int MaxParallelSends { get; set; } = 4;

    public TimeSpan SendTimeout => ClaimTimeout / 2;

    /// <summary>When to try again after <paramref name="attempts"/> failed attempts.</summary>
    public TimeSpan RetryDelay(int attempts, double jitter)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var delay = Math.Min(FirstRetryDelay.TotalMilliseconds * Math.Pow(2, exponent), MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(Math.Min(delay * (0.8 + 0.4 * Math.Clamp(jitter, 0, 1)), MaxRetryDelay.TotalMilliseconds));
    }

    public IEnumerable<string> Problems()
    {
        if (MaxAttempts < 1)
            yield return "MaxAttempts must be at least 1";
        if (FirstRetryDelay <= TimeSpan.Zero || MaxRetryDelay < FirstRetryDelay)
            yield return "FirstRetryDelay must be positive and not above MaxRetryDelay";
        if (ClaimTimeout < TimeSpan.FromSeconds(2))
            yield return "ClaimTimeout must be at least 2 seconds";
        if (PollInterval <= TimeSpan.Zero)
            yield return "PollInterval must be positive";
        if (BatchSize < 1 || MaxParallelSends < 1)
            yield return "BatchSize and MaxParallelSends must be at least 1";
    }
}
