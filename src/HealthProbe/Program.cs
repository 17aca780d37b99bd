using Shop.HealthProbe;

return await Probe.RunAsync(args, Console.Error);
