using System.ComponentModel;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Writes a zoo model as an ONNX file from what the generator knows about it (no tracing), with
/// its own initialisation, a PyTorch checkpoint's weights or the reference deterministic weights.
/// The file is written beside the target and moved into place: never half-written.
/// </summary>
public sealed class ExportCommand : Command<ExportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<MODEL|FILE>")]
        [Description("A spec file (*.inception.yaml, anywhere: compiled now as the build compiles it) or a zoo model name, e.g. InceptionV3 (see `inceptiondsl zoo`).")]
        public string Model { get; init; } = "";

        [CommandOption("--model <NAME>")]
        [Description("With a spec file of several models: the one to export.")]
        public string? Pick { get; init; }

        [CommandOption("-o|--output <FILE>")]
        [Description("The .onnx file to write.")]
        public string Output { get; init; } = "";

        [CommandOption("--weights <FILE>")]
        [Description("A PyTorch state_dict (.safetensors or torch.save .pt) to export, loaded as `verify --weights` does.")]
        public string? Weights { get; init; }

        [CommandOption("--reference-weights")]
        [Description("Export with the deterministic weights of ../shared/reference/README.md.")]
        public bool ReferenceWeights { get; init; }

        [CommandOption("--aux")]
        [Description("Also write each auxiliary head's logits as an output named after the head.")]
        public bool Aux { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Output))
                return ValidationResult.Error("give the file to write with -o FILE.onnx");
            if (!string.IsNullOrWhiteSpace(Weights) && ReferenceWeights)
                return ValidationResult.Error("give --weights or --reference-weights, not both");
            if (!string.IsNullOrWhiteSpace(Weights) && CliFiles.InputProblem(Weights) is { } problem)
                return ValidationResult.Error($"--weights {Weights}: {problem}");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        ZooEntry entry;
        try
        {
            entry = RunnableModels.Resolve(settings.Model, settings.Pick);
        }
        catch (Exception error) when (error is Explain.ExplainException or CliInputException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }

        try
        {
            // Build the aux heads when they are exported or when the checkpoint has their weights.
            bool withAux = entry.HasAux && (settings.Aux
                || (!string.IsNullOrWhiteSpace(settings.Weights) && CheckpointVerification.HasEntriesUnder(settings.Weights, VerifyCommand.AuxNames(entry))));
            using var model = entry.Create(entry.Classes, entry.InChannels, withAux);
            string weights = "its own initialisation";
            if (!string.IsNullOrWhiteSpace(settings.Weights))
            {
                var loaded = CheckpointLoader.Load(model, settings.Weights);
                weights = $"{Path.GetFileName(settings.Weights)} ({loaded.Entries} entries)";
            }
            else if (settings.ReferenceWeights)
            {
                DeterministicWeights.Fill(model);
                weights = "the reference deterministic weights";
            }

            if (model is not IOnnxExportable exportable)
            {
                Console.Error.WriteLine($"error: {entry.Name} was generated without its ONNX writer");
                return 1;
            }

            model.eval();
            var proto = OnnxExport.ToModelProto(exportable, settings.Aux && withAux);
            var bytes = Google.Protobuf.MessageExtensions.ToByteArray(proto);
            CliFiles.WriteOutput(settings.Output, bytes);
            Console.WriteLine($"wrote {Path.GetFullPath(settings.Output)} ({bytes.Length:N0} bytes): {entry.Name}, opset {OnnxGraphBuilder.Opset}, "
                + $"{proto.Graph.Node.Count} nodes, {proto.Graph.Initializer.Count} initializers, weights from {weights}");
            Console.WriteLine($"  inputs:  {OnnxValues(proto.Graph.Input)}");
            Console.WriteLine($"  outputs: {OnnxValues(proto.Graph.Output)}");
            return 0;
        }
        catch (CheckpointMismatchException error)
        {
            Console.Error.WriteLine($"error: {Path.GetFileName(settings.Weights)} does not fit {entry.Name}: {error.Message.Split('\n')[0]}");
            return 1;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            Console.Error.WriteLine("error: " + CliErrors.Describe(error, error is CliInputException ? null : settings.Weights));
            return 1;
        }
    }

    /// <summary>Graph inputs or outputs as <c>name float32[batch, 3, 224, 224]</c>, comma-separated.</summary>
    private static string OnnxValues(IEnumerable<global::Onnx.ValueInfoProto> values) => string.Join(", ", values.Select(v =>
    {
        var type = v.Type?.TensorType;
        if (type is null)
            return v.Name;
        // A named dimension (N, H, W) is free; one with neither name nor value is computed by the runtime ("?").
        var dims = type.Shape?.Dim.Select(d => d.ValueCase switch
        {
            global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimParam => d.DimParam,
            global::Onnx.TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue => d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => "?",
        }) ?? [];
        var element = (global::Onnx.TensorProto.Types.DataType)type.ElemType switch
        {
            global::Onnx.TensorProto.Types.DataType.Float => "float32",
            global::Onnx.TensorProto.Types.DataType.Double => "float64",
            var other => other.ToString().ToLowerInvariant(),
        };
        return $"{v.Name} {element}[{string.Join(", ", dims)}]";
    }));
}
