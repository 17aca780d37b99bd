using System.Diagnostics;
using System.Text.RegularExpressions;
using Shop.Testing;

namespace Shop.Deployment.Tests;

/// <summary>Runs a command-line tool from the repository root. A missing tool fails the test with how to get it.</summary>
public static partial class Tools
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    public static string Root => RepositoryLayout.Root;

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static Task<Result> Run(string tool, string installHint, params string[] arguments) => Run(tool, installHint, [], arguments);

    static async Task<Result> Run(string tool, string installHint, IEnumerable<string> unsetVariables, string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        foreach (var variable in unsetVariables)
            info.Environment.Remove(variable);

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException($"'{tool}' is not installed ({exception.Message}). {installHint}", exception);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            return new Result(process.ExitCode, await output, await error);
        }
    }

    public const string ComposeHint = "`./shop test` installs it (apt-get install docker-compose).";

    /// <summary>
    /// docker-compose, with the variables docker-compose.yml interpolates removed from its environment: the shell's values
    /// win over an --env-file, and a developer's SHOP_GATEWAY_PORT must not change what the tests see.
    /// </summary>
    public static Task<Result> DockerCompose(params string[] arguments) =>
        Run("docker-compose", ComposeHint, ComposeVariable().Matches(File.ReadAllText(PathOf("docker-compose.yml"))).Select(m => m.Groups[1].Value).Distinct(), arguments);

    [GeneratedRegex(@"\$\{([A-Za-z0-9_]+)")]
    private static partial Regex ComposeVariable();
}
