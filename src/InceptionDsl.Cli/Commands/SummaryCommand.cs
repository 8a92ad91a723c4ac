using System.ComponentModel;
using InceptionDsl.Analysis;
using InceptionDsl.Cli.Explain;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>Settings shared by the commands that take one model: a zoo class name or a spec file.</summary>
public class ModelSettings : CommandSettings
{
    [CommandArgument(0, "<MODEL|FILE>")]
    [Description("A model class name from specs/ (e.g. InceptionV4) or a spec file (*.inception.yaml).")]
    public string Model { get; init; } = "";

    [CommandOption("--variant <NAME>")]
    [Description("With a spec file of several variants: the model to take (default: the first).")]
    public string? Variant { get; init; }
}

/// <summary>Per-layer table from the spec alone: path, kind, output shape, parameters, FLOPs, stage subtotals.</summary>
public sealed class SummaryCommand : Command<SummaryCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--depth <N>")]
        [Description("Levels below each stage to list (0 = stages only). Default 2.")]
        [DefaultValue(2)]
        public int Depth { get; init; } = 2;

        [CommandOption("--json")]
        [Description("Machine-readable output: layers, stages and totals as JSON.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var model = ExplainRun.Load(settings.Model, settings.Variant);
        var summary = new LayerSummary(model.Model);
        Console.Write(settings.Json ? LayerSummary.Json(summary.ToJson()) + Environment.NewLine : summary.ToText(settings.Depth));
        return 0;
    });
}

/// <summary>Loading with progress on stderr, and user errors as messages with exit code 1.</summary>
public static class ExplainRun
{
    public static ResolvedModel Load(string modelOrFile, string? variant)
    {
        Console.Error.Write($"compiling {CliText.Plain(modelOrFile)}{(variant is null ? "" : " " + CliText.Plain(variant))} ... ");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var model = ModelResolver.Resolve(modelOrFile, variant);
        Console.Error.WriteLine($"{model.Model.ClassName} from {CliText.Plain(Path.GetFileName(model.SpecPath))} ({started.ElapsedMilliseconds} ms)");
        return model;
    }

    /// <summary>Runs a command; a user error is <c>error: message</c> on stderr (after ending the progress line, if any) and exit code 1.</summary>
    public static int Guard(Func<int> body, bool afterProgress = true)
    {
        try
        {
            return body();
        }
        catch (Exception exception) when (exception is ExplainException or CliInputException)
        {
            if (afterProgress)
                Console.Error.WriteLine();
            Console.Error.WriteLine("error: " + exception.Message);
            return 1;
        }
    }
}
