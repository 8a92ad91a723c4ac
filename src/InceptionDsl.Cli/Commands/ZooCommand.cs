using System.ComponentModel;
using System.Diagnostics;
using InceptionDsl.Models;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>Builds every zoo model, runs one forward pass on a random batch, and tabulates the results.</summary>
public sealed class ZooCommand : Command<ZooCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[FILES]")]
        [Description("Spec files (*.inception.yaml, anywhere: compiled now as the build compiles them) to run instead of the zoo: every model they declare.")]
        public string[] Files { get; init; } = [];

        [CommandOption("--batch <N>")]
        [Description("Batch size of the random input (default 1).")]
        public int Batch { get; init; } = 1;

        [CommandOption("--model <NAME>")]
        [Description("Only this model (of the zoo, or of the spec files).")]
        public string? Model { get; init; }

        public override ValidationResult Validate() =>
            Batch is >= 1 and <= 256 ? ValidationResult.Success() : ValidationResult.Error("--batch must be between 1 and 256");
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        List<ZooEntry> entries;
        try
        {
            // Spec files: every model they declare (or the one --model names), through the resolver every command shares.
            entries = settings.Files.Length > 0
                ? settings.Files.SelectMany(file => RunnableModels.FromFile(file)).Where(e => settings.Model is null || string.Equals(e.Name, settings.Model, StringComparison.OrdinalIgnoreCase)).ToList()
                : settings.Model is null ? ModelZoo.Entries.ToList() : [RunnableModels.Resolve(settings.Model)];
        }
        catch (Exception error) when (error is Explain.ExplainException or CliInputException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }

        if (entries.Count == 0)
        {
            Console.Error.WriteLine($"error: no model '{settings.Model}' in {string.Join(", ", settings.Files)}");
            return 1;
        }

        // Whole model names and shapes, never cut: these columns do not wrap, and a redirected table (80 columns by
        // default) gets the width it needs.
        if (Console.IsOutputRedirected)
            AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160);
        var table = new Table().Title("InceptionDsl zoo")
            .AddColumn(new TableColumn("Model").NoWrap()).AddColumn(new TableColumn("Parameters").RightAligned()).AddColumn(new TableColumn("GFLOPs").RightAligned())
            .AddColumn(new TableColumn("Input").NoWrap()).AddColumn(new TableColumn("Output").NoWrap()).AddColumn(new TableColumn("Forward (ms)").RightAligned());
        manual_seed(0);
        int index = 0;
        foreach (var entry in entries)
        {
            index++;
            // Progress goes to stderr so the table on stdout stays clean.
            Console.Error.WriteLine($"[{index}/{entries.Count}] {entry.Name}: building and running a forward pass...");
            using var scope = NewDisposeScope();
            var model = entry.Create(entry.Classes, entry.InChannels, false);
            model.eval();
            long parameters = model.parameters().Sum(p => p.numel());
            using var noGrad = no_grad();
            var input = randn(settings.Batch, entry.InChannels, entry.Height, entry.Width);
            model.forward(input).Dispose();
            var watch = Stopwatch.StartNew();
            var output = model.forward(input);
            watch.Stop();
            // Cells are Spectre markup: shapes like [1, 3, 224, 224] must be escaped.
            table.AddRow(Markup.Escape(entry.Name), parameters.ToString("N0"), (entry.Flops / 1e9).ToString("F2"),
                $"{settings.Batch}x{entry.InChannels}x{entry.Height}x{entry.Width}",
                string.Join("x", output.shape),
                watch.Elapsed.TotalMilliseconds.ToString("F1"));
            model.Dispose();
        }

        AnsiConsole.Write(table);
        return 0;
    }
}
