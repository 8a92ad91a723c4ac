using System;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Onnx;
using TorchSharp;

namespace InceptionDsl.Onnx;

/// <summary>
/// Exports a generated model to ONNX from what the generator wrote for it: no tracing. The file
/// holds the model's current weights (BatchNorm folded into the convolution before it).
/// </summary>
public static class OnnxExport
{
    /// <summary>The producer version written into exported files.</summary>
    public static string ProducerVersion { get; } =
        typeof(OnnxExport).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";

    /// <summary>The model as an ONNX ModelProto; <paramref name="includeAux"/> adds each built aux head as an output named after it.</summary>
    public static ModelProto ToModelProto(IOnnxExportable model, bool includeAux = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        var info = model.OnnxInfo;
        var graph = new OnnxGraphBuilder(info.InChannels, info.Height, info.Width, includeAux);
        using (torch.no_grad())
            model.WriteOnnx(graph);
        long parameters = model is torch.nn.Module module
            ? module.parameters().Sum(p => p.numel())
            : 0;
        return graph.Build(info, parameters, ProducerVersion);
    }

    /// <summary>The exported model's bytes.</summary>
    public static byte[] ToBytes(IOnnxExportable model, bool includeAux = false) => ToModelProto(model, includeAux).ToByteArray();

    /// <summary>
    /// Writes the model to <paramref name="path"/>: to a temporary file beside it first, then moved
    /// over it, so a failure never leaves a partial file.
    /// </summary>
    public static void Save(IOnnxExportable model, string path, bool includeAux = false)
    {
        // The one output rule (InceptionDslSpecFiles.cs, as SafeFiles): an existing folder, pipe, device or link is refused.
        if (InceptionDsl.Build.SpecFileKind.OutputProblem(path) is { } problem)
            throw new IOException($"{path}: {problem}");
        var bytes = ToBytes(model, includeAux);
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            if (InceptionDsl.Build.SpecFileKind.OutputProblem(path) is { } swapped)
                throw new IOException($"{path}: {swapped}");
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
                File.Delete(temporary);
        }
    }
}
