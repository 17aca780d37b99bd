using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace Shop.BuildingBlocks.Http;

/// <summary>
/// Input hygiene for every service and the gateway, in one place, before any endpoint runs:
/// <list type="bullet">
/// <item>HTTP methods other than GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS answer 405 (CONNECT, TRACE and
/// invented ones never reach a proxy or an endpoint).</item>
/// <item>The path, every query parameter (name and value) and every string of a JSON body (property names and values)
/// are refused with a 400 ValidationProblem when they hold a control character (C0 and C1, DEL, NUL above all: PostgreSQL
/// cannot store it) or an unpaired UTF-16 surrogate (not encodable as UTF-8). Tab, line feed and carriage return are
/// allowed inside JSON strings only, where free text (a product description) may span lines; single-line fields refuse
/// them in their own validation.</item>
/// <item>A JSON body that is not well-formed JSON answers 400 here, whatever the endpoint would have done with it.</item>
/// </list>
/// </summary>
public static class InputHygiene
{
    public static readonly string[] AllowedMethods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Post, HttpMethods.Put, HttpMethods.Patch, HttpMethods.Delete, HttpMethods.Options];

    const string ControlCharacterError = "Control characters (such as NUL) and unpaired surrogates are not allowed.";

    /// <summary>Deepest JSON nesting accepted (System.Text.Json's own default).</summary>
    const int MaxJsonDepth = 64;

    /// <summary>Whether the text holds a character no Shop input may hold (see the class summary).</summary>
    public static bool HasForbiddenCharacters(string? value, bool allowLineBreaks = false)
    {
        if (value is null)
            return false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsControl(c) && !(allowLineBreaks && c is '\t' or '\n' or '\r'))
                return true;
            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                    return true;
                i++;
            }
            else if (char.IsLowSurrogate(c))
                return true;
        }
        return false;
    }

    static bool IsControl(char c) => c < 0x20 || c is >= '\u007f' and <= '\u009f';

    public static WebApplication UseShopInputHygiene(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!AllowedMethods.Contains(context.Request.Method, StringComparer.OrdinalIgnoreCase))
            {
                context.Response.Headers.Allow = string.Join(", ", AllowedMethods);
                await WriteProblemAsync(context, StatusCodes.Status405MethodNotAllowed, "The method is not allowed.",
                    $"Shop answers {string.Join(", ", AllowedMethods)}.");
                return;
            }
            var errors = new Dictionary<string, string[]>();
            CheckPathAndQuery(context.Request, errors);
            if (errors.Count == 0 && IsJson(context.Request) && await CheckJsonBodyAsync(context, errors) is { } malformed)
            {
                await WriteProblemAsync(context, StatusCodes.Status400BadRequest, "The request body is not valid JSON.", malformed);
                return;
            }
            if (errors.Count > 0)
            {
                await WriteValidationProblemAsync(context, errors);
                return;
            }
            await next(context);
        });
        return app;
    }

    static void CheckPathAndQuery(HttpRequest request, Dictionary<string, string[]> errors)
    {
        if (HasForbiddenCharacters(request.PathBase.Value) || HasForbiddenCharacters(request.Path.Value))
            errors["path"] = [ControlCharacterError];
        foreach (var (key, values) in request.Query)
        {
            if (HasForbiddenCharacters(key) || values.Any(v => HasForbiddenCharacters(v)))
                errors[Printable(key)] = [ControlCharacterError];
        }
    }

    static bool IsJson(HttpRequest request)
    {
        if (request.ContentLength == 0 || !MediaTypeHeaderValue.TryParse(request.ContentType, out var type))
            return false;
        var media = type.MediaType.Value ?? "";
        return media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Scans every string of the body; returns why the body is not JSON, or null. The body is left rewound for the endpoint.</summary>
    static async Task<string?> CheckJsonBodyAsync(HttpContext context, Dictionary<string, string[]> errors)
    {
        var request = context.Request;
        request.EnableBuffering();
        byte[] body;
        // A body over the request's size limit throws Kestrel's 413 BadHttpRequestException here, answered by the exception handler.
        using (var buffer = new MemoryStream())
        {
            await request.Body.CopyToAsync(buffer, context.RequestAborted);
            body = buffer.ToArray();
        }
        request.Body.Position = 0;
        if (body.Length == 0)
            return null;

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxJsonDepth });
        var path = new List<string>();
        var arrayIndexes = new Stack<int>();
        string? pendingProperty = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingProperty = ReadString(ref reader, out var nameOk);
                        if (!nameOk || HasForbiddenCharacters(pendingProperty))
                            errors[Location(path, Printable(pendingProperty ?? "?"))] = [ControlCharacterError];
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        path.Add(ElementName(ref pendingProperty, arrayIndexes));
                        arrayIndexes.Push(reader.TokenType == JsonTokenType.StartArray ? 0 : -1);
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        arrayIndexes.Pop();
                        break;
                    case JsonTokenType.String:
                        var name = ElementName(ref pendingProperty, arrayIndexes);
                        var value = ReadString(ref reader, out var valueOk);
                        if (!valueOk || HasForbiddenCharacters(value, allowLineBreaks: true))
                            errors[Location(path, name)] = [ControlCharacterError];
                        break;
                    default:
                        ElementName(ref pendingProperty, arrayIndexes);
                        break;
                }
            }
        }
        catch (JsonException exception)
        {
            return exception.Message.Split(" Path:")[0];
        }
        return null;
    }

    /// <summary>The name of the element that starts now: the pending property, or the next index of the enclosing array.</summary>
    static string ElementName(ref string? pendingProperty, Stack<int> arrayIndexes)
    {
        if (pendingProperty is { } property)
        {
            pendingProperty = null;
            return property;
        }
        if (arrayIndexes.Count > 0 && arrayIndexes.Peek() >= 0)
        {
            var index = arrayIndexes.Pop();
            arrayIndexes.Push(index + 1);
            return $"[{index}]";
        }
        return "";
    }

    /// <summary>The unescaped string; false when its escapes name an unpaired surrogate (System.Text.Json refuses to decode it).</summary>
    static string? ReadString(ref Utf8JsonReader reader, out bool ok)
    {
        try
        {
            ok = true;
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            ok = false;
            return null;
        }
    }

    static string Location(List<string> path, string name)
    {
        var builder = new StringBuilder();
        foreach (var part in path.Skip(1).Append(name))
        {
            if (part.Length == 0)
                continue;
            if (builder.Length > 0 && !part.StartsWith('['))
                builder.Append('.');
            builder.Append(Printable(part));
        }
        return builder.Length == 0 ? "body" : builder.ToString();
    }

    /// <summary>A name safe to echo in an error: forbidden characters become U+FFFD, and it is cut at 100 characters.</summary>
    static string Printable(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, 100));
        foreach (var c in name.Take(100))
            builder.Append(IsControl(c) || char.IsSurrogate(c) ? '\uFFFD' : c);
        return builder.ToString();
    }

    static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }

    static Task WriteValidationProblemAsync(HttpContext context, Dictionary<string, string[]> errors)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request contains characters that are not allowed.",
            },
        }).AsTask();
    }
}
