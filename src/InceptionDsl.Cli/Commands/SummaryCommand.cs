using System.ComponentModel;
using InceptionDsl.Analysis;
using InceptionDsl.Cli.Explain;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>Settings shared by the commands that take one model: a zoo class name or a spec file.</summary>
public class ModelSettings : CommandSettings
{
    [CommandArgument(0, "<MODEL|FILE>")]
    [Description("A spec file (*.inception.yaml, anywhere) or a model class name of the zoo's specs (e.g. InceptionV4).")]
    public string Model { get; init; } = "";

    // --variant: the option's name before every command took --model.
    [CommandOption("--model|--variant <NAME>")]
    [Description("With a spec file of several models: the one to take.")]
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

        [CommandOption("--wide")]
        [Description("One line per layer, the path column as wide as the longest state_dict path (default: a longer path takes a line of its own).")]
        public bool Wide { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var model = ExplainRun.Load(settings.Model, settings.Variant);
        var summary = new LayerSummary(model.Model);
        Console.Write(settings.Json ? LayerSummary.Json(summary.ToJson()) + Environment.NewLine : summary.ToText(settings.Depth, settings.Wide));
        return 0;
    });
}

/// <summary>Loading with progress on stderr, and user errors as messages with exit code 1.</summary>
public static class ExplainRun
{
    public static ResolvedModel Load(string modelOrFile, string? model)
    {
        Console.Error.Write($"compiling {modelOrFile}{(model is null ? "" : " " + model)} ... ");
        var started = System.Diagnostics.Stopwatch.StartNew();
        var resolved = ModelResolver.Resolve(modelOrFile, ModelResolver.IsSpecFile(modelOrFile) ? model : null);
        Console.Error.WriteLine($"{resolved.Model.ClassName} from {Path.GetFileName(resolved.SpecPath)} ({started.ElapsedMilliseconds} ms)");
        return resolved;
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
