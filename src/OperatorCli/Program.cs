using System.CommandLine;
using Shop.OperatorCli;
using Shop.OperatorCli.Commands;

var root = new RootCommand(
    "shopctl — operate Shop through its gateway: inspect and time-travel event streams, rebuild projections, rewind " +
    "subscriptions, find stuck sagas, re-drive dead letters. Needs an admin: --token, or --email and --password.")
{
    Cli.Gateway, Cli.Token, Cli.Email, Cli.Password, Cli.Json,
    StreamsCommands.Build(),
    ProjectionsCommands.Build(),
    SubscriptionsCommands.Build(),
    SagasCommands.Build(),
    ErrorsCommands.Build(),
};
return await root.Parse(args).InvokeAsync();
