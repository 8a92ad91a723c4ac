using System.ComponentModel;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Loads a peer reference file into a generated model and compares names, shapes, parameter count
/// and (when the file has them) logits. The last line starts with PASS or FAIL.
/// </summary>
public sealed class VerifyCommand : Command<VerifyCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--model <NAME>")]
        [Description("Generated model class name, e.g. GoogLeNet.")]
        public string Model { get; init; } = "";

        [CommandOption("--reference <FILE>")]
        [Description("A reference file in the format of ../shared/reference/models/*.json.")]
        public string Reference { get; init; } = "";

        [CommandOption("--tolerance <REL>")]
        [Description("Largest accepted max|diff| / logits_abs_max (default 1e-4).")]
        public double Tolerance { get; init; } = VerifierOptions.DefaultTolerance;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model is required");
            if (string.IsNullOrWhiteSpace(Reference)) return ValidationResult.Error("--reference is required");
            if (!File.Exists(Reference)) return ValidationResult.Error($"reference file not found: {Reference}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entry = ModelZoo.Find(settings.Model);
        if (entry is null)
        {
            Console.WriteLine($"FAIL unknown model '{settings.Model}' (known: {string.Join(", ", ModelZoo.Entries.Select(e => e.Name))})");
            return 1;
        }

        ReferenceModel reference;
        try
        {
            reference = ReferenceModel.Load(settings.Reference);
        }
        // Any malformed file is a FAIL with the reason, never a stack trace.
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.WriteLine($"FAIL cannot read {settings.Reference}: {error.Message}");
            return 1;
        }

        var report = ModelVerification.Run(entry, reference, settings.Tolerance);
        foreach (var line in report.ToLines())
            Console.WriteLine(line);
        return report.Passed ? 0 : 1;
    }
}
