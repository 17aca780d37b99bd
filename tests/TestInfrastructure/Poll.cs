namespace Shop.Testing;

/// <summary>Polling for state that becomes true eventually (messages consumed, projections caught up, servers bound).</summary>
public static class Poll
{
    /// <summary>Asks until the condition holds (true) or the time is up (false); the caller says what a timeout means.</summary>
    public static async Task<bool> Until(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
                return true;
            await Task.Delay(interval ?? TimeSpan.FromMilliseconds(100));
        }
        return false;
    }
}
