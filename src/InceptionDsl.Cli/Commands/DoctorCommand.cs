using System.Globalization;
using InceptionDsl.Platform;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Whether this machine computes right float32 convolutions: the CPU's cache topology as oneDNN reads
/// it, the start-up decision (<see cref="LibTorchGuard"/>) and every known-fault convolution computed
/// under it. Exit code 1 when any is still wrong. CI runs it first, so each run shows which path the
/// suite takes.
/// </summary>
public sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var decision = LibTorchGuard.EnsureApplied();
        Console.WriteLine($"cpu caches: {decision.Topology.Describe()}");
        Console.WriteLine($"decision: {decision.Describe()}");

        var table = new Table().Title("Known-fault convolutions, float32 against float64")
            .AddColumn("Configuration").AddColumn(new TableColumn("Relative error").RightAligned()).AddColumn("Result");
        bool allRight = true;
        foreach (var probe in ConvolutionProbe.KnownFaults)
        {
            if (probe.Crashes && decision.OneDnnEnabled && decision.Topology.HidesDataCaches)
            {
                table.AddRow(Markup.Escape(probe.Name), "-", "not run: kills the process with oneDNN on here");
                continue;
            }

            var error = probe.RelativeError();
            bool right = ConvolutionProbe.IsRight(error);
            allRight &= right;
            table.AddRow(Markup.Escape(probe.Name), error.ToString("0.0e+00", CultureInfo.InvariantCulture), right ? "[green]right[/]" : "[red]WRONG[/]");
        }

        AnsiConsole.Write(table);
        // What the decision costs apart from libtorch's first operations, which any first forward pays.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        ConvolutionProbe.StartUp.RelativeError();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"decision time: {decision.Elapsed.TotalMilliseconds:F0} ms at start-up (libtorch's first operations included); the known-answer convolution alone, warm: {clock.Elapsed.TotalMilliseconds:F1} ms"));
        Console.WriteLine(allRight && decision.Trustworthy
            ? "float32 convolutions: right"
            : $"float32 convolutions: WRONG on this machine ({OneDnnSettings.Variable}=auto turns oneDNN off where the evidence says so)");
        return allRight && decision.Trustworthy ? 0 : 1;
    }
}
