using System.ComponentModel;
using System.Globalization;
using InceptionDsl.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Lists the catalogue of published weights the specs declare (<c>weights:</c>): per entry the file and its SHA-256,
/// the preprocessing, the reported accuracy and the license; for one model also each entry's source and citation.
/// Nothing is downloaded.
/// </summary>
public sealed class WeightsCommand : Command<WeightsCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[MODEL]")]
        [Description("Only this model (case-insensitive); default: every model with weights.")]
        public string? Model { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = ModelZoo.Entries.Where(e => settings.Model is null || string.Equals(e.Name, settings.Model, StringComparison.OrdinalIgnoreCase)).ToList();
        if (entries.Count == 0)
        {
            Console.Error.WriteLine($"error: no model named '{CliText.Plain(settings.Model)}'. Known: {string.Join(", ", ModelZoo.Entries.Select(e => e.Name))}");
            return 1;
        }

        var weights = entries.SelectMany(e => e.Weights).ToList();
        if (weights.Count == 0)
        {
            Console.WriteLine($"{entries[0].Name} lists no published weights in its spec.");
            return 0;
        }

        var table = new Table().Title("Published weights (Model.Weights.Name; a SHA-256 ending in … is a prefix)")
            .AddColumn("Weights").AddColumn("File").AddColumn("SHA-256").AddColumn("Input")
            .AddColumn("Resize -> crop").AddColumn(new TableColumn("Top-1").RightAligned())
            .AddColumn(new TableColumn("Top-5").RightAligned()).AddColumn("License");
        foreach (var w in weights)
        {
            var preprocessing = w.Preprocessing;
            table.AddRow(
                CliText.Markup($"{w.Model}.{w.Name}"),
                CliText.Markup(w.FileName),
                CliText.Markup(w.IsSha256Prefix ? w.Sha256 + "…" : w.Sha256),
                $"{w.Mean.Count}x{w.Height}x{w.Width}",
                CliText.Markup((w.CropFraction is null ? $"{w.Height}x{w.Width}" : $"{preprocessing.ResizeSize} -> {w.Height}x{w.Width}") + $" {w.Interpolation}"),
                Percent(w.Top1),
                Percent(w.Top5),
                CliText.Markup(w.License));
        }

        AnsiConsole.Write(table);
        Console.WriteLine($"{weights.Count} entries for {entries.Count(e => e.Weights.Count > 0)} models.");
        if (settings.Model is not null)
            foreach (var w in weights)
            {
                // Plain lines: a URL or citation must stay whole for copying, not wrapped in a cell.
                Console.WriteLine($"{w.Name}: source {CliText.Plain(w.Source)}");
                Console.WriteLine($"{w.Name}: mean {Numbers(w.Mean)}, std {Numbers(w.Std)}");
                if (w.Citation is not null)
                    Console.WriteLine($"{w.Name}: accuracy as reported by {CliText.Plain(w.Citation)}");
            }

        return 0;
    }

    private static string Numbers(IReadOnlyList<double> values) => "[" + string.Join(", ", values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture))) + "]";

    private static string Percent(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "";
}
