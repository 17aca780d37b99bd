namespace Shop.Messaging;

/// <summary>What this process's messaging core has done since it started (for operators' figures and for tests).</summary>
public sealed class MessagingCounters
{
    long _consumed;
    long _duplicates;
    long _dispatched;
    long _dispatchFailures;

    /// <summary>Messages whose unit of work committed.</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Copies of already handled messages that the inbox dropped.</summary>
    public long DuplicatesDropped => Interlocked.Read(ref _duplicates);

    /// <summary>Outbox rows sent right after their commit and confirmed by the broker.</summary>
    public long Dispatched => Interlocked.Read(ref _dispatched);

    /// <summary>Outbox rows whose send after the commit failed (the relay takes them after their lease).</summary>
    public long DispatchFailures => Interlocked.Read(ref _dispatchFailures);

    internal void CountConsumed() => Interlocked.Increment(ref _consumed);
    internal void CountDuplicate() => Interlocked.Increment(ref _duplicates);
    internal void CountDispatched() => Interlocked.Increment(ref _dispatched);
    internal void CountDispatchFailure() => Interlocked.Increment(ref _dispatchFailures);
}
