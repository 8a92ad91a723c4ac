using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace InceptionDsl.Reference;

/// <summary>
/// <c>checkpoints/*.logits.json</c>: the float64 logits that a PyTorch-written checkpoint's exact
/// weights (converted to float32) give on the deterministic input. A float32 TorchSharp model that
/// loads the checkpoint reproduces them to max |diff| under 1e-5.
/// </summary>
public sealed class CheckpointLogits
{
    /// <summary>The default file name of the googlenet checkpoint's logits.</summary>
    public const string GoogLeNetFp16FileName = "googlenet_det_fp16.logits.json";

    /// <summary>Which peer model wrote the checkpoint, e.g. <c>torchvision googlenet(aux_logits=False)</c>.</summary>
    public required string Model { get; init; }

    /// <summary>How the weights were made, e.g. <c>deterministic fill rounded to float16</c>.</summary>
    public required string Weights { get; init; }

    /// <summary>The deterministic input shape.</summary>
    public required IReadOnlyList<long> Input { get; init; }

    /// <summary><c>[N][classes]</c> float64 logits.</summary>
    public required double[][] LogitsFloat64 { get; init; }

    /// <summary>Optional: top-5 class indices per sample.</summary>
    public int[][]? Top5Float64 { get; init; }

    /// <summary>Number of state_dict entries in the checkpoint.</summary>
    public required int Keys { get; init; }

    /// <summary>Loads <c>checkpoints/googlenet_det_fp16.logits.json</c>.</summary>
    public static CheckpointLogits LoadGoogLeNetFp16() => Load(ReferencePaths.CheckpointFile(GoogLeNetFp16FileName));

    /// <summary>Loads a <c>*.logits.json</c> file; a malformed one throws <see cref="ReferenceFormatException"/> naming the place.</summary>
    public static CheckpointLogits Load(string path)
    {
        using FileStream stream = SafeFiles.OpenRead(path);
        using JsonDocument doc = JsonRead.Parse(stream, path);
        var read = new JsonRead(path);
        JsonElement root = read.Object(doc.RootElement, "the file");
        var input = read.InputShape(read.Required(root, "input"), "input");
        var logits = read.Matrix(read.Required(root, "logits_float64"), "logits_float64");
        if (logits.Length != input[0])
            throw read.Error($"'logits_float64' has {logits.Length} row(s), but 'input' [{string.Join(", ", input)}] has batch {input[0]}");
        long keys = read.Count(read.Required(root, "keys"), "keys");
        return new CheckpointLogits
        {
            Model = read.String(read.Required(root, "model"), "model"),
            Weights = read.String(read.Required(root, "weights"), "weights"),
            Input = input,
            LogitsFloat64 = logits,
            Top5Float64 = read.Optional(root, "top5_float64") is { } t5 ? read.IntMatrix(t5, "top5_float64") : null,
            Keys = keys <= int.MaxValue ? (int)keys : throw read.Error($"'keys' is out of range: {keys}"),
        };
    }
}
