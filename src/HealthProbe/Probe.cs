namespace Shop.HealthProbe;

/// <summary>
/// `dotnet HealthProbe.dll [URL] [TIMEOUT_SECONDS]`: exit 0 if the URL answers 2xx within the timeout, 1 otherwise.
/// The URL defaults to the container's own readiness endpoint on ASP.NET's default container port.
/// </summary>
public static class Probe
{
    public const string DefaultUrl = "http://127.0.0.1:8080/health/ready";
    public const int Healthy = 0;
    public const int Unhealthy = 1;
    public const int Usage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter report)
    {
        var url = args.Length > 0 ? args[0] : DefaultUrl;
        var seconds = 5.0;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || (args.Length > 1 && (!double.TryParse(args[1], System.Globalization.CultureInfo.InvariantCulture, out seconds) || seconds <= 0)))
        {
            await report.WriteLineAsync("usage: HealthProbe [http://host:port/health/ready] [timeout-seconds]");
            return Usage;
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(seconds) };
        try
        {
            using var response = await http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead);
            if (response.IsSuccessStatusCode)
                return Healthy;
            await report.WriteLineAsync($"{uri} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            return Unhealthy;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            await report.WriteLineAsync($"{uri} did not answer: {exception.Message}");
            return Unhealthy;
        }
    }
}
