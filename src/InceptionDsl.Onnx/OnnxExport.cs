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

    /// <summary>The exported model's bytes; a model past protobuf's 2 GiB limit is an error at once (<see cref="Save(IOnnxExportable, string, bool, long)"/> writes it with external data).</summary>
    public static byte[] ToBytes(IOnnxExportable model, bool includeAux = false)
    {
        var proto = ToModelProto(model, includeAux);
        if (OnnxExternalData.Needed(proto))
            throw new InvalidOperationException($"the model's weights ({OnnxExternalData.Size(proto):N0} bytes) pass protobuf's 2 GiB limit on one ONNX file: save it with OnnxExport.Save, which writes the weights as external data beside the model");
        return proto.ToByteArray();
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/>: to a temporary file beside it first, then moved over it, so a
    /// failure never leaves a partial file. A model whose size would pass <paramref name="limit"/> (protobuf's 2 GiB)
    /// gets its weights in a data file beside it (<see cref="OnnxExternalData"/>: <c>model.onnx.data</c>), written first.
    /// Returns the data file's path, or null when the model is one file.
    /// </summary>
    public static string? Save(IOnnxExportable model, string path, bool includeAux = false, long limit = OnnxExternalData.ProtobufLimit) =>
        Save(ToModelProto(model, includeAux), path, limit);

    /// <summary>As <see cref="Save(IOnnxExportable, string, bool, long)"/> for a model already built (changed in place when its weights go to a data file).</summary>
    public static string? Save(ModelProto proto, string path, long limit = OnnxExternalData.ProtobufLimit)
    {
        ArgumentNullException.ThrowIfNull(proto);
        // The one output rule (InceptionDslSpecFiles.cs, as SafeFiles): an existing folder, pipe, device or link is refused.
        if (InceptionDsl.Build.SpecFileKind.OutputProblem(path) is { } problem)
            throw new IOException($"{path}: {problem}");
        string? dataPath = null;
        if (OnnxExternalData.Needed(proto, limit))
        {
            dataPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", OnnxExternalData.DataFileName(path));
            var chunks = OnnxExternalData.Externalize(proto, OnnxExternalData.DataFileName(path));
            WriteWhole(dataPath, stream => OnnxExternalData.Write(stream, chunks));
        }

        var bytes = proto.ToByteArray();
        WriteWhole(path, stream => stream.Write(bytes));
        return dataPath;
    }

    private static void WriteWhole(string path, Action<Stream> write)
    {
        if (InceptionDsl.Build.SpecFileKind.OutputProblem(path) is { } problem)
            throw new IOException($"{path}: {problem}");
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
                write(stream);
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
