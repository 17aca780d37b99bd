using System.Net.Http.Json;
using System.Text.Json;

namespace Shop.EndToEnd.Tests.Fuzz;

/// <summary>The shape of a value an operation takes, from its OpenAPI schema (references resolved).</summary>
public sealed record ValueShape(string Type, string? Format, IReadOnlyList<string>? Enum, IReadOnlyDictionary<string, ValueShape>? Properties,
    ValueShape? Items)
{
    public static readonly ValueShape AnyString = new("string", null, null, null, null);

    public bool IsNumeric => Type is "integer" or "number";
}

public sealed record Parameter(string Name, string In, ValueShape Shape);

/// <summary>One documented operation, with the path it has at the gateway.</summary>
public sealed record Operation(string Document, string Method, string Path, IReadOnlyList<Parameter> Parameters, ValueShape? Body)
{
    public override string ToString() => $"{Method} {Path}";
}

/// <summary>Reads the gateway's /api/docs index and every document in it.</summary>
public static class OpenApiOperations
{
    static readonly string[] Methods = ["get", "post", "put", "patch", "delete"];

    public static async Task<IReadOnlyList<Operation>> LoadAsync(HttpClient gateway)
    {
        var links = await gateway.GetFromJsonAsync<List<Link>>("api/docs", ShopJson) ?? [];
        var operations = new List<Operation>();
        foreach (var link in links)
        {
            using var document = JsonDocument.Parse(await gateway.GetStringAsync(link.Url.TrimStart('/')));
            var root = document.RootElement;
            foreach (var path in root.GetProperty("paths").EnumerateObject())
            {
                var gatewayPath = GatewayPath(link.Name, path.Name);
                if (gatewayPath is null)
                    continue;
                foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
                {
                    var parameters = new List<Parameter>();
                    if (method.Value.TryGetProperty("parameters", out var list))
                        foreach (var parameter in list.EnumerateArray())
                        {
                            var p = Resolve(root, parameter);
                            var location = p.GetProperty("in").GetString()!;
                            if (location is "path" or "query")
                                parameters.Add(new Parameter(p.GetProperty("name").GetString()!, location,
                                    p.TryGetProperty("schema", out var schema) ? Shape(root, schema, 0) : ValueShape.AnyString));
                        }
                    ValueShape? body = null;
                    if (method.Value.TryGetProperty("requestBody", out var requestBody)
                        && Resolve(root, requestBody).TryGetProperty("content", out var content)
                        && content.TryGetProperty("application/json", out var json) && json.TryGetProperty("schema", out var bodySchema))
                        body = Shape(root, bodySchema, 0);
                    operations.Add(new Operation(link.Name, method.Name.ToUpperInvariant(), gatewayPath, parameters, body));
                }
            }
        }
        return operations;
    }

    /// <summary>Where the gateway serves a service's path: /api/... as it is, the operations endpoints under /api/admin/{service}.</summary>
    static string? GatewayPath(string document, string path) =>
        path.StartsWith("/api/", StringComparison.Ordinal) ? path
        : path.StartsWith("/admin/", StringComparison.Ordinal) && document != "gateway" ? $"/api/admin/{document}{path["/admin".Length..]}"
        : null;

    static JsonElement Resolve(JsonElement root, JsonElement element)
    {
        for (var depth = 0; depth < 10 && element.ValueKind == JsonValueKind.Object && element.TryGetProperty("$ref", out var reference); depth++)
        {
            var target = root;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                target = target.GetProperty(part);
            element = target;
        }
        return element;
    }

    static ValueShape Shape(JsonElement root, JsonElement schema, int depth)
    {
        schema = Resolve(root, schema);
        if (schema.ValueKind != JsonValueKind.Object || depth > 4)
            return ValueShape.AnyString;
        foreach (var combinator in (string[])["oneOf", "anyOf", "allOf"])
            if (schema.TryGetProperty(combinator, out var options))
            {
                var option = options.EnumerateArray().Select(o => Resolve(root, o))
                    .FirstOrDefault(o => !(o.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "null"));
                if (option.ValueKind == JsonValueKind.Object)
                    return Shape(root, option, depth + 1);
            }
        var type = "string";
        if (schema.TryGetProperty("type", out var typeElement))
            type = typeElement.ValueKind == JsonValueKind.Array
                ? typeElement.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t != "null") ?? "string"
                : typeElement.GetString() ?? "string";
        else if (schema.TryGetProperty("properties", out _))
            type = "object";
        var format = schema.TryGetProperty("format", out var f) ? f.GetString() : null;
        var values = schema.TryGetProperty("enum", out var e) ? e.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).ToList() : null;
        Dictionary<string, ValueShape>? properties = null;
        if (schema.TryGetProperty("properties", out var props))
            properties = props.EnumerateObject().ToDictionary(p => p.Name, p => Shape(root, p.Value, depth + 1));
        var items = schema.TryGetProperty("items", out var i) ? Shape(root, i, depth + 1) : null;
        // Integers may be written as a string pattern in OpenAPI 3.1 documents of ASP.NET ("type": ["integer", "string"]).
        return new ValueShape(type, format, values, properties, items);
    }

    record Link(string Name, string Url);

    static readonly JsonSerializerOptions ShopJson = new(JsonSerializerDefaults.Web);
}
