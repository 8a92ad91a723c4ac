namespace InceptionDsl.Onnx;

/// <summary>
/// A generated module (block or conv unit) that writes its forward as ONNX nodes. The generator
/// emits the implementation from the same forward steps it writes as C#.
/// </summary>
public interface IOnnxWritable
{
    /// <summary>
    /// Appends this module's forward to <paramref name="graph"/>, reading the value named
    /// <paramref name="input"/>; returns the name of its output value. <paramref name="path"/> is the
    /// module's state_dict path (empty for the root), the prefix of every node and initializer name.
    /// </summary>
    string WriteOnnx(OnnxGraphBuilder graph, string path, string input);
}

/// <summary>A generated model that can be exported to ONNX (see <see cref="OnnxExport"/>).</summary>
public interface IOnnxExportable
{
    /// <summary>What the spec says about the model: written into the file's metadata.</summary>
    OnnxModelInfo OnnxInfo { get; }

    /// <summary>Appends the model's forward to <paramref name="graph"/>, from its input to its logits (and aux heads when the graph asks).</summary>
    void WriteOnnx(OnnxGraphBuilder graph);
}

/// <summary>
/// A model's description from its spec: name, spec file, peer, reported accuracy and the input
/// size it was checked for.
/// </summary>
public sealed record OnnxModelInfo(string ModelName, string SpecFile, string? Paper, string? Peer, double? Top1, double? Top5,
    long InChannels, long Height, long Width);
