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
        [CommandArgument(0, "[MODEL|FILE]")]
        [Description("A spec file (*.inception.yaml, anywhere: compiled now as the build compiles it) or a zoo model name.")]
        public string? Spec { get; init; }

        [CommandOption("--model <NAME>")]
        [Description("Without MODEL|FILE: a zoo model class name, e.g. GoogLeNet. With a spec file of several models: the one to verify. Default with --reference: the model that declares the file's id as its reference.")]
        public string Model { get; init; } = "";

        [CommandOption("--reference <FILE>")]
        [Description("A reference file in the format of ../shared/reference/models/*.json.")]
        public string Reference { get; init; } = "";

        [CommandOption("--tolerance <REL>")]
        [Description("Largest accepted max|diff| / logits_abs_max (default 1e-4).")]
        public double Tolerance { get; init; } = VerifierOptions.DefaultTolerance;

        [CommandOption("--weights <FILE>")]
        [Description("A PyTorch state_dict (.safetensors or torch.save .pt): load it instead of the deterministic weights and compare with --logits.")]
        public string? Weights { get; init; }

        [CommandOption("--logits <FILE>")]
        [Description("With --weights: the expected logits (default: the weights file's name with .logits.json).")]
        public string? Logits { get; init; }

        [CommandOption("--abs-tolerance <ABS>")]
        [Description("With --weights: largest accepted max|diff| of the logits (default 1e-5).")]
        public double AbsTolerance { get; init; } = CheckpointVerification.DefaultTolerance;

        [CommandOption("--dtype <TYPE>")]
        [Description("With --weights: float64 (default; the logits file is float64) or float32.")]
        public string DType { get; init; } = "float64";

        [CommandOption("--onnx")]
        [Description("Export the model with the reference's deterministic weights, run it in ONNX Runtime, and compare with logits_float64.")]
        public bool Onnx { get; init; }

        public override ValidationResult Validate()
        {
            if (!string.Equals(DType, "float64", StringComparison.OrdinalIgnoreCase) && !string.Equals(DType, "float32", StringComparison.OrdinalIgnoreCase))
                return ValidationResult.Error($"--dtype must be float64 or float32, not '{DType}'");
            if (!double.IsFinite(Tolerance) || Tolerance < 0)
                return ValidationResult.Error($"--tolerance must be a number of 0 or more, not {Tolerance}");
            if (!double.IsFinite(AbsTolerance) || AbsTolerance < 0)
                return ValidationResult.Error($"--abs-tolerance must be a number of 0 or more, not {AbsTolerance}");
            if (Onnx && !string.IsNullOrWhiteSpace(Weights))
                return ValidationResult.Error("--onnx compares with a reference file's logits: give --reference, not --weights");
            if (string.IsNullOrWhiteSpace(Spec) && string.IsNullOrWhiteSpace(Model) && string.IsNullOrWhiteSpace(Reference))
                return ValidationResult.Error("give --model, or --reference to verify the model that declares the file's id, or a spec file as the argument");
            if (string.IsNullOrWhiteSpace(Spec) && string.IsNullOrWhiteSpace(Model) && CliFiles.InputProblem(Reference) is { } noReference)
                return ValidationResult.Error($"--reference {Reference}: {noReference}");
            if (!string.IsNullOrWhiteSpace(Weights))
            {
                if (CliFiles.InputProblem(Weights) is { } noWeights) return ValidationResult.Error($"--weights {Weights}: {noWeights}");
                var logits = Logits ?? CheckpointVerification.DefaultLogitsPath(Weights);
                if (CliFiles.InputProblem(logits) is { } noLogits)
                    return ValidationResult.Error($"--logits {logits}: {noLogits}{(Logits is null ? " (the default beside the weights; give --logits)" : "")}");
                return ValidationResult.Success();
            }

            if (string.IsNullOrWhiteSpace(Reference)) return ValidationResult.Error("--reference is required (or --weights with --logits)");
            if (CliFiles.InputProblem(Reference) is { } problem) return ValidationResult.Error($"--reference {Reference}: {problem}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ReferenceModel? reference = null;
        if ((string.IsNullOrWhiteSpace(settings.Model) && string.IsNullOrWhiteSpace(settings.Spec)) || string.IsNullOrWhiteSpace(settings.Weights))
        {
            reference = LoadReference(settings.Reference);
            if (reference is null)
                return 1;
        }

        ZooEntry? entry;
        if (string.IsNullOrWhiteSpace(settings.Spec) && string.IsNullOrWhiteSpace(settings.Model))
        {
            entry = ModelVerification.FindByReference(reference!.Id, ModelZoo.Entries, out var error);
            if (entry is null)
            {
                Console.WriteLine($"FAIL {error}");
                return 1;
            }

            Console.WriteLine($"model: {entry.Name} (declares reference '{reference.Id}')");
        }
        else
        {
            // A spec file or a zoo name, as the argument or as --model: the resolver every command shares.
            var source = string.IsNullOrWhiteSpace(settings.Spec) ? settings.Model : settings.Spec;
            try
            {
                entry = RunnableModels.Resolve(source, string.IsNullOrWhiteSpace(settings.Spec) ? null : settings.Model, reference?.Id);
            }
            catch (Exception error) when (error is Explain.ExplainException or CliInputException)
            {
                Console.WriteLine($"FAIL {error.Message}");
                return 1;
            }

            if (Explain.ModelResolver.IsSpecFile(source))
                Console.WriteLine($"model: {entry.Name} from {source}");
        }

        if (!string.IsNullOrWhiteSpace(settings.Weights))
            return VerifyWeights(entry, settings);

        long inChannels = reference!.Input.Count > 1 ? reference.Input[1] : entry.InChannels;
        long classes = ModelVerification.ReferenceClasses(entry, reference, inChannels);
        if (classes != entry.Classes || inChannels != entry.InChannels)
            Console.WriteLine($"note: {entry.Name} was built for {classes} classes and {inChannels} input channels, as the reference {reference.Id} says; the spec declares {entry.Classes} and {entry.InChannels}");
        if (settings.Onnx)
            return VerifyOnnx(entry, reference, settings.Tolerance);

        var report = ModelVerification.Run(entry, reference, settings.Tolerance, classes);
        foreach (var line in report.ToLines())
            Console.WriteLine(line);
        return report.Passed ? 0 : 1;
    }

    /// <summary>--onnx: the exported model in ONNX Runtime against the reference's logits.</summary>
    private static int VerifyOnnx(ZooEntry entry, ReferenceModel reference, double tolerance)
    {
        if (!reference.HasLogits)
        {
            Console.WriteLine($"FAIL reference '{reference.Id}' has no logits to compare the ONNX model with");
            return 1;
        }

        try
        {
            var result = OnnxVerification.Run(entry, reference, tolerance);
            foreach (var line in result.ToLines())
                Console.WriteLine(line);
            return result.Passed ? 0 : 1;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.WriteLine($"FAIL {entry.Name} in ONNX Runtime: {CliErrors.Describe(error)}");
            return 1;
        }
    }

    /// <summary>The reference file, or null after printing why it cannot be read.</summary>
    private static ReferenceModel? LoadReference(string path)
    {
        try
        {
            return ReferenceModel.Load(path);
        }
        // Any malformed file is a FAIL with the reason (file, place, what was expected), never a stack trace.
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.WriteLine($"FAIL {CliErrors.Describe(error, path)}");
            return null;
        }
    }

    /// <summary>--weights: load a PyTorch checkpoint and compare the logits with a logits file.</summary>
    private static int VerifyWeights(ZooEntry entry, Settings settings)
    {
        var weights = settings.Weights!;
        var logitsPath = settings.Logits ?? CheckpointVerification.DefaultLogitsPath(weights);
        CheckpointLogits expected;
        try
        {
            expected = CheckpointLogits.Load(logitsPath);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.WriteLine($"FAIL {CliErrors.Describe(error, logitsPath)}");
            return 1;
        }

        // The logits file decides the classes (its columns) and the input channels (its input).
        long classes = expected.LogitsFloat64[0].Length;
        long inChannels = expected.Input[1];
        var input = "[" + string.Join(", ", expected.Input) + "]";
        try
        {
            // Build the aux heads only when the checkpoint has their weights.
            bool withAux = entry.HasAux && CheckpointVerification.HasEntriesUnder(weights, AuxNames(entry));
            using var model = entry.Create(classes, inChannels, withAux);
            var computeType = string.Equals(settings.DType, "float32", StringComparison.OrdinalIgnoreCase) ? ScalarType.Float32 : ScalarType.Float64;
            var report = CheckpointVerification.Verify(model, weights, expected, settings.AbsTolerance, computeType);
            Console.WriteLine($"model: {entry.Name}{(entry.HasAux ? withAux ? " (with aux heads)" : " (without aux heads)" : "")}");
            foreach (var line in report.ToLines())
                Console.WriteLine(line);
            return report.Passed ? 0 : 1;
        }
        catch (CheckpointMismatchException error)
        {
            Console.WriteLine(error.Message);
            if (classes != entry.Classes || inChannels != entry.InChannels)
                Console.WriteLine($"note: {entry.Name} was built for {classes} classes and {inChannels} input channels, as {Path.GetFileName(logitsPath)} says " +
                    $"(logits of {classes} columns, input {input}); the spec declares {entry.Classes} and {entry.InChannels}");
            Console.WriteLine($"FAIL {Path.GetFileName(weights)} does not fit {entry.Name}");
            return 1;
        }
        catch (System.Runtime.InteropServices.ExternalException error)
        {
            // libtorch refused the forward pass, e.g. an input too small for the network's pooling.
            Console.WriteLine($"FAIL {entry.Name} cannot run on the input {input} of {Path.GetFileName(logitsPath)}: {ErrorText.Of(error)}");
            return 1;
        }
        // Any malformed file is a FAIL with the reason, never a stack trace.
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.WriteLine($"FAIL {CliErrors.Describe(error, weights)}");
            return 1;
        }
    }

    /// <summary>The names of the aux heads <paramref name="entry"/> can build (the state_dict prefixes of their weights).</summary>
    internal static IEnumerable<string> AuxNames(ZooEntry entry)
    {
        using var probe = entry.Create(entry.Classes, entry.InChannels, false);
        // Through the contracts: a model compiled from a spec file at run time has its own IInceptionDslModel.
        return probe is InceptionDsl.Contracts.IGeneratedModel generated ? generated.ModelInfo.AuxHeads.Select(a => a.Name).ToList() : new List<string>();
    }
}
