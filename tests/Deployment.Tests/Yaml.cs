namespace Shop.Deployment.Tests;

/// <summary>Navigation helpers over YamlDotNet's untyped object graph (maps and lists).</summary>
public static class Yaml
{
    public static Dictionary<string, object> Map(object? node) => node switch
    {
        Dictionary<object, object> map => map.ToDictionary(e => e.Key.ToString()!, e => e.Value),
        null => throw new InvalidOperationException("expected a YAML map, found nothing"),
        _ => throw new InvalidOperationException($"expected a YAML map, found {node.GetType().Name}"),
    };

    public static List<object> List(object? node) => node as List<object>
        ?? throw new InvalidOperationException($"expected a YAML list, found {node?.GetType().Name ?? "nothing"}");
}
