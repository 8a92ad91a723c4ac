using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Google.Protobuf;
using Onnx;

namespace InceptionDsl.Onnx;

/// <summary>
/// ONNX external data for models whose weights pass protobuf's 2 GiB message limit (a .onnx file is one protobuf
/// message; serialising a larger one overflows). The weights then go to a data file beside the model
/// (<c>model.onnx</c> and <c>model.onnx.data</c>), as ONNX's external-data format says: each large initializer keeps
/// its name, type and shape in the model and points, by <c>location</c>, <c>offset</c> and <c>length</c>, at its raw
/// bytes in the data file, which ONNX Runtime and onnx.load read when the two files lie in one folder.
/// </summary>
public static class OnnxExternalData
{
    /// <summary>Protobuf's limit on one message: a model whose serialised size would pass it gets external data.</summary>
    public const long ProtobufLimit = int.MaxValue;

    /// <summary>Initializers at least this large go to the data file (small ones, such as shapes, stay inline).</summary>
    public const int MinExternalBytes = 1024;

    /// <summary>Offsets in the data file are multiples of this (ONNX Runtime can map aligned tensors directly).</summary>
    public const int Alignment = 4096;

    /// <summary>
    /// The serialised size the model would have, counted in 64 bits without serialising (protobuf's own count is an
    /// int and overflows past 2 GiB): the initializers' bytes plus the rest of the graph.
    /// </summary>
    public static long Size(ModelProto model)
    {
        ArgumentNullException.ThrowIfNull(model);
        long weights = 0;
        foreach (var tensor in model.Graph.Initializer)
            weights += tensor.RawData.Length + 4L * tensor.FloatData.Count + 8L * tensor.Int64Data.Count + 64;
        return weights + model.Graph.Node.Sum(n => (long)n.CalculateSize()) + 4096;
    }

    /// <summary>Whether <paramref name="model"/> needs external data under <paramref name="limit"/> (default: protobuf's).</summary>
    public static bool Needed(ModelProto model, long limit = ProtobufLimit) => Size(model) > limit;

    /// <summary>
    /// Moves every initializer of at least <see cref="MinExternalBytes"/> raw bytes out of <paramref name="model"/>
    /// (changed in place) and returns the data file's bytes, written as chunks (a model's data may pass 2 GiB, more
    /// than one array holds). <paramref name="location"/> is the data file's name relative to the model file.
    /// </summary>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Externalize(ModelProto model, string location)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (string.IsNullOrEmpty(location) || location.IndexOfAny(['/', '\\']) >= 0)
            throw new ArgumentException("the data file's location is a file name beside the model", nameof(location));
        var chunks = new List<ReadOnlyMemory<byte>>();
        long offset = 0;
        foreach (var tensor in model.Graph.Initializer)
        {
            if (tensor.RawData.Length < MinExternalBytes)
                continue;
            long padding = (Alignment - offset % Alignment) % Alignment;
            if (padding > 0)
            {
                chunks.Add(new byte[padding]);
                offset += padding;
            }

            var bytes = tensor.RawData.Memory;
            chunks.Add(bytes);
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = offset.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
            tensor.DataLocation = TensorProto.Types.DataLocation.External;
            tensor.RawData = ByteString.Empty;
            offset += bytes.Length;
        }

        return chunks;
    }

    /// <summary>Writes the chunks of <see cref="Externalize"/> to a stream.</summary>
    public static void Write(Stream stream, IEnumerable<ReadOnlyMemory<byte>> chunks)
    {
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var chunk in chunks)
            stream.Write(chunk.Span);
    }

    /// <summary>The data file's name for a model file: <c>model.onnx</c> gives <c>model.onnx.data</c>.</summary>
    public static string DataFileName(string modelPath) => Path.GetFileName(modelPath) + ".data";
}
