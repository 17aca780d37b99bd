namespace Shop.Gateway.Identity.Lockout;

/// <summary>
/// Sign-in attempts counted against one key (an account or a client address). Stored in PostgreSQL so that every gateway
/// instance sees the same count and a lockout outlives a restart.
/// </summary>
public class AttemptCounter
{
    public string Id { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset WindowStartedAt { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>Forgets a finished lockout or a window that has passed.</summary>
    public void Refresh(AttemptPolicy policy, DateTimeOffset now)
    {
        var lockoutOver = LockedUntil is { } until && until <= now;
        var windowOver = LockedUntil is null && now - WindowStartedAt >= policy.Window;
        if (lockoutOver || windowOver)
        {
            Attempts = 0;
            LockedUntil = null;
            WindowStartedAt = now;
        }
    }
}

/// <summary>At most <paramref name="MaxAttempts"/> attempts per <paramref name="Window"/>; then locked for <paramref name="Lockout"/>.</summary>
public sealed record AttemptPolicy(int MaxAttempts, TimeSpan Window, TimeSpan Lockout);

/// <summary>One key to count an attempt against, under its policy.</summary>
public sealed record AttemptKey(string Id, AttemptPolicy Policy);
