using System.ComponentModel;
using InceptionDsl.Analysis;
using InceptionDsl.Cli.Explain;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>A readable walk through one model's architecture.</summary>
public sealed class ExplainCommand : Command<ModelSettings>
{
    public override int Execute(CommandContext context, ModelSettings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var model = ExplainRun.Load(settings.Model, settings.Variant);
        Console.Write(Explainer.Explain(ModelGraph.Build(model.Model)));
        return 0;
    });
}

/// <summary>Structural differences between two models or specs.</summary>
public sealed class DiffCommand : Command<DiffCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<A>")]
        [Description("First model: a spec file or a zoo class name.")]
        public string A { get; init; } = "";

        [CommandArgument(1, "<B>")]
        [Description("Second model: a spec file or a zoo class name.")]
        public string B { get; init; } = "";

        [CommandOption("--json")]
        [Description("Machine-readable output.")]
        public bool Json { get; init; }

        [CommandOption("--model <NAME>")]
        [Description("With spec files of several models: the one to take of each (e.g. two versions of one spec).")]
        public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var a = ExplainRun.Load(settings.A, settings.Model);
        var b = ExplainRun.Load(settings.B, settings.Model);
        var diff = new ModelDiff(ModelGraph.Build(a.Model), ModelGraph.Build(b.Model));
        Console.Write(settings.Json ? LayerSummary.Json(diff.ToJson()) + Environment.NewLine : diff.ToText());
        return 0;
    });
}

/// <summary>Draws the block graph as SVG, Graphviz DOT or Mermaid.</summary>
public sealed class DiagramCommand : Command<DiagramCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the diagram (default: standard output).")]
        public string? Output { get; init; }

        [CommandOption("--format <FORMAT>")]
        [Description("svg (default), dot or mermaid.")]
        [DefaultValue("svg")]
        public string Format { get; init; } = "svg";

        public override ValidationResult Validate() =>
            Format is "svg" or "dot" or "mermaid" ? ValidationResult.Success() : ValidationResult.Error($"--format must be svg, dot or mermaid, not '{Format}'");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var model = ExplainRun.Load(settings.Model, settings.Variant);
        var graph = ModelGraph.Build(model.Model);
        var text = settings.Format switch
        {
            "dot" => DiagramWriter.Dot(graph),
            "mermaid" => DiagramWriter.Mermaid(graph),
            _ => DiagramWriter.Svg(graph),
        };
        if (settings.Output is null)
        {
            Console.Write(text);
        }
        else
        {
            CliFiles.WriteOutput(settings.Output, text);
            Console.Error.WriteLine($"wrote {settings.Output} ({text.Length:N0} characters)");
        }

        return 0;
    });
}

/// <summary>Writes the JSON Schema of the spec format.</summary>
public sealed class SchemaCommand : Command<SchemaCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--output <FILE>")]
        [Description("Where to write the schema (default: standard output). The repository keeps it in specs/inceptiondsl.schema.json.")]
        public string? Output { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var text = SpecSchema.Text();
        if (settings.Output is null)
            Console.Write(text);
        else
            CliFiles.WriteOutput(settings.Output, text);
        return 0;
    }, afterProgress: false);
}
