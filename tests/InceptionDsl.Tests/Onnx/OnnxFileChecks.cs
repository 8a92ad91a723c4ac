using Onnx;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>Structural checks of an exported file, as an ONNX checker would make them.</summary>
public static class OnnxFileChecks
{
    /// <summary>
    /// Opset 17 of the default domain only, IR version 8, producer, metadata; unique node, value and
    /// initializer names; every node input produced before it (graph input, initializer or an
    /// earlier node's output); initializers as float raw data of the size their dims say; value
    /// infos unique and not re-declaring inputs or outputs; input [N, C, H, W] with a symbolic batch.
    /// </summary>
    public static void AssertWellFormed(ModelProto model, string modelName)
    {
        Assert.Equal(8, model.IrVersion);
        Assert.Equal("InceptionDsl", model.ProducerName);
        Assert.False(string.IsNullOrEmpty(model.ProducerVersion));
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);

        var meta = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(modelName, meta["model_name"]);
        Assert.EndsWith(".inception.yaml", meta["spec_file"], StringComparison.Ordinal);
        Assert.True(long.Parse(meta["parameter_count"], System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.Matches(@"^\d+x\d+x\d+$", meta["input_size"]);
        Assert.Equal(model.MetadataProps.Count, meta.Count);

        var graph = model.Graph;
        var input = Assert.Single(graph.Input);
        Assert.Equal("input", input.Name);
        var dims = input.Type.TensorType.Shape.Dim;
        Assert.Equal(4, dims.Count);
        Assert.Equal("N", dims[0].DimParam);
        Assert.Equal("logits", graph.Output[0].Name);
        Assert.Equal("N", graph.Output[0].Type.TensorType.Shape.Dim[0].DimParam);

        var initializers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            Assert.True(initializers.Add(tensor.Name), $"initializer {tensor.Name} twice");
            Assert.Equal((int)TensorProto.Types.DataType.Float, tensor.DataType);
            Assert.Empty(tensor.FloatData);
            Assert.Equal(tensor.Dims.Aggregate(1L, (a, b) => a * b) * 4, tensor.RawData.Length);
        }

        var available = new HashSet<string>(initializers, StringComparer.Ordinal) { "input" };
        var nodeNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in graph.Node)
        {
            Assert.Equal("", node.Domain);
            Assert.True(nodeNames.Add(node.Name), $"node {node.Name} twice");
            foreach (var name in node.Input)
                Assert.True(available.Contains(name), $"node {node.Name} reads {name} before anything produces it");
            foreach (var name in node.Output)
                Assert.True(available.Add(name), $"value {name} produced twice");
        }

        foreach (var output in graph.Output)
            Assert.Contains(output.Name, available);
        var published = graph.Output.Select(o => o.Name).Append("input").ToHashSet(StringComparer.Ordinal);
        var infos = new HashSet<string>(StringComparer.Ordinal);
        foreach (var info in graph.ValueInfo)
        {
            Assert.True(infos.Add(info.Name), $"value info {info.Name} twice");
            Assert.DoesNotContain(info.Name, published);
            Assert.Contains(info.Name, available);
        }
    }
}
