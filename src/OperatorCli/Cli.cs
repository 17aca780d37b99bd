using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Json;

namespace Shop.OperatorCli;

/// <summary>Options every command takes, and what a command needs to run: the API client and the output.</summary>
public static class Cli
{
    public static readonly Option<string> Gateway = new("--gateway")
    {
        Description = "The gateway's URL [env SHOP_GATEWAY, default http://127.0.0.1:8080]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOP_GATEWAY") ?? "http://127.0.0.1:8080",
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "An admin's access token [env SHOP_TOKEN]; otherwise --email/--password log in",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOP_TOKEN"),
    };

    public static readonly Option<string?> Email = new("--email")
    {
        Description = "Admin email to log in with [env SHOP_ADMIN_EMAIL]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOP_ADMIN_EMAIL"),
    };

    public static readonly Option<string?> Password = new("--password")
    {
        Description = "Admin password [env SHOP_ADMIN_PASSWORD]",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SHOP_ADMIN_PASSWORD"),
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print the API's JSON instead of tables", Recursive = true };

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Runs a command's body with the API client; CliExceptions become one red line and exit code 1.</summary>
    public static void Handle(Command command, Func<ParseResult, AdminApi, Output, CancellationToken, Task> body) =>
        command.SetAction(async (parse, cancellationToken) =>
        {
            var output = new Output(parse.GetValue(Json));
            // Piped or captured output is not a terminal of 80 columns: keep table rows on one line each.
            if (Console.IsOutputRedirected)
                AnsiConsole.Profile.Width = 240;
            var gateway = parse.GetValue(Gateway)!;
            if (!Uri.TryCreate(gateway.TrimEnd('/') + "/", UriKind.Absolute, out var address))
            {
                output.Error($"--gateway {gateway} is not a URL");
                return 2;
            }
            using var api = new AdminApi(new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) },
                new Credentials(parse.GetValue(Token), parse.GetValue(Email), parse.GetValue(Password)));
            try
            {
                await body(parse, api, output, cancellationToken);
                return 0;
            }
            catch (CliException exception)
            {
                output.Error(exception.Message);
                return 1;
            }
        });
}

/// <summary>Tables for people, JSON for scripts.</summary>
public sealed class Output(bool json)
{
    public bool Json { get; } = json;

    public void Print(JsonElement value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Cli.Indented));

    public void Table(Table table) => AnsiConsole.Write(table);

    public void Line(string markup) => AnsiConsole.MarkupLine(markup);

    public void JsonBlock(string header, JsonElement value) =>
        AnsiConsole.Write(new Panel(new JsonText(value.GetRawText())).Header(header).Expand());

    public void Error(string message) => Console.Error.WriteLine($"error: {message}");

    public static string Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) ? value.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => "",
            JsonValueKind.String when value.TryGetDateTimeOffset(out var time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            JsonValueKind.String => value.GetString() ?? "",
            JsonValueKind.Object or JsonValueKind.Array => value.GetRawText(),
            _ => value.ToString(),
        } : "";

    /// <summary>Escapes API text for Spectre markup (JSON is full of [ and ]).</summary>
    public static string Safe(string text) => Markup.Escape(text);
}
