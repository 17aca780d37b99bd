namespace Shop.Messaging.Sagas;

/// <summary>
/// A saga whose transitions also produce domain events (the order stream). The state machine only records them here;
/// the Marten saga repository appends them to the stream named by the correlation id in the same transaction that
/// saves the saga state. With the in-memory repository of the test harness they simply accumulate.
/// </summary>
public interface IEventSourcedSaga
{
    Guid CorrelationId { get; }

    /// <summary>Events recorded since the saga was loaded. Not persisted with the saga document.</summary>
    List<object> PendingEvents { get; }

    /// <summary>
    /// True when the document lacks state the saga derives from its events, e.g. one written by a version that did not
    /// keep it yet: the repository then hands it the stream (<see cref="Replay"/>) before the saga handles a message.
    /// </summary>
    bool NeedsHistory => false;

    /// <summary>Rebuilds the derived state from the stream's events, oldest first (no events are recorded).</summary>
    void Replay(IEnumerable<object> history) { }
}
