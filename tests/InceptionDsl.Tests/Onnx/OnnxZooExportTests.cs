using Google.Protobuf;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using Onnx;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// Every zoo model, aux heads included, exports, passes the structural checks, loads in ONNX
/// Runtime with all graph optimisations on, and runs: logits [N, classes], each aux head's output
/// [N, classes], and the TorchSharp model's logits.
/// </summary>
public sealed class OnnxZooExportTests
{
    public static TheoryData<string> ZooModels() => new(ModelZoo.Entries.Select(e => e.Name));

    [Theory]
    [MemberData(nameof(ZooModels))]
    public void EveryZooModelExportsAndRunsInOnnxRuntime(string name)
    {
        var entry = ModelZoo.Find(name)!;
        using var scope = NewDisposeScope();
        manual_seed(1);
        using var model = entry.Create(entry.Classes, entry.InChannels, entry.HasAux);
        model.eval();
        var exportable = Assert.IsAssignableFrom<IOnnxExportable>(model);
        var proto = OnnxExport.ToModelProto(exportable, includeAux: entry.HasAux);
        OnnxFileChecks.AssertWellFormed(proto, entry.Name);
        var auxNames = ((IInceptionDslModel)model).AuxHeads.Select(a => a.Name).ToList();
        Assert.Equal(new[] { "logits" }.Concat(auxNames), proto.Graph.Output.Select(o => o.Name));

        // Batch 1: the largest models cost seconds each on two cores.
        var input = randn(1, entry.InChannels, entry.Height, entry.Width);
        using var session = new OnnxModelSession(proto.ToByteArray(), new OnnxRunOptions { OptimizationLevel = Microsoft.ML.OnnxRuntime.GraphOptimizationLevel.ORT_ENABLE_ALL });
        var outputs = session.RunAll(input.data<float>().ToArray(), new[] { 1, (int)entry.InChannels, (int)entry.Height, (int)entry.Width });
        Assert.Equal(proto.Graph.Output.Select(o => o.Name), outputs.Select(o => o.Name));
        foreach (var (_, dims, _) in outputs)
            Assert.Equal(new[] { 1, (int)entry.Classes }, dims);

        Tensor expected;
        using (no_grad())
            expected = model.call(input);
        var diff = (tensor(outputs[0].Values) - expected.reshape(-1)).abs().max().item<float>();
        var scale = expected.abs().max().item<float>();
        Assert.True(diff <= 1e-4 * scale, $"{name}: ONNX Runtime vs TorchSharp max diff {diff} (logits up to {scale})");
    }

    [Fact]
    public void NamesFollowTheStateDictAndBatchNormIsFolded()
    {
        using var model = new InceptionV3(auxLogits: false);
        var proto = OnnxExport.ToModelProto((IOnnxExportable)model);
        var initializers = proto.Graph.Initializer.Select(i => i.Name).ToHashSet();
        var stateDict = model.state_dict().Keys.ToHashSet();

        Assert.Contains("Mixed_5b.branch1x1.conv.weight", initializers);
        Assert.Contains("Mixed_5b.branch1x1.conv.bias", initializers);
        Assert.Contains("fc.weight", initializers);
        // Folded: no BatchNormalization node, no BN statistics in the file.
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization");
        Assert.DoesNotContain(initializers, i => i.EndsWith(".running_mean", StringComparison.Ordinal));
        // Every weight is a state_dict entry; biases are the folded BN's, on the conv's path.
        Assert.All(initializers.Where(i => i.EndsWith(".weight", StringComparison.Ordinal)), i => Assert.Contains(i, stateDict));
        Assert.Contains(proto.Graph.Node, n => n.Name == "Mixed_5b.branch1x1.conv" && n.OpType == "Conv");
        Assert.Contains(proto.Graph.Node, n => n.Name == "Mixed_5b.concat" && n.OpType == "Concat");
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "Dropout");
    }

    [Fact]
    public void AModelEndingInAGlobalPoolHasADynamicSpatialSize()
    {
        using var model = new ResNet18();
        model.eval();
        var proto = OnnxExport.ToModelProto((IOnnxExportable)model);
        var dims = proto.Graph.Input[0].Type.TensorType.Shape.Dim;
        Assert.Equal(new[] { "N", "", "H", "W" }, dims.Select(d => d.DimParam));
        Assert.Equal("true", proto.MetadataProps.Single(p => p.Key == "dynamic_spatial_size").Value);

        // It runs at another size and batch, as the TorchSharp model does.
        using var session = new OnnxModelSession(proto.ToByteArray());
        var input = randn(3, 3, 160, 192);
        var logits = session.Run(input);
        using (no_grad())
            Assert.True(allclose(logits, model.call(input), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void AuxHeadsThatFlattenAMapFixTheSpatialSize()
    {
        using var model = new GoogLeNet();
        model.eval();
        var withoutAux = OnnxExport.ToModelProto((IOnnxExportable)model);
        var withAux = OnnxExport.ToModelProto((IOnnxExportable)model, includeAux: true);
        Assert.Equal("H", withoutAux.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimParam);
        Assert.Equal(224, withAux.Graph.Input[0].Type.TensorType.Shape.Dim[2].DimValue);
        Assert.Equal(new[] { "logits", "aux1", "aux2" }, withAux.Graph.Output.Select(o => o.Name));
    }

    [Fact]
    public void AFusedModelExportsTheSameGraphValues()
    {
        using var scope = NewDisposeScope();
        using var model = new InceptionV4();
        model.eval();
        var input = randn(1, 3, 299, 299);
        using var plain = new OnnxModelSession(OnnxExport.ToBytes((IOnnxExportable)model));
        var before = plain.Run(input);
        model.Fuse(channelsLast: true);
        using var fused = new OnnxModelSession(OnnxExport.ToBytes((IOnnxExportable)model));
        var after = fused.Run(input);
        Assert.True(allclose(before, after, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void SaveWritesTheWholeFileOrNothing()
    {
        using var model = new ResNet18();
        var folder = Directory.CreateTempSubdirectory("onnx-save-").FullName;
        try
        {
            var path = Path.Combine(folder, "resnet18.onnx");
            OnnxExport.Save((IOnnxExportable)model, path);
            var read = ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
            Assert.Equal("ResNet18", read.Graph.Name);
            Assert.Single(Directory.EnumerateFiles(folder));

            Assert.ThrowsAny<IOException>(() => OnnxExport.Save((IOnnxExportable)model, Path.Combine(folder, "missing", "x.onnx")));
            Assert.Single(Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void AnUnavailableProviderIsAOneLineError()
    {
        var bytes = OnnxExport.ToBytes((IOnnxExportable)new ResNet18());
        var error = Assert.Throws<OnnxProviderUnavailableException>(() => new OnnxModelSession(bytes, new OnnxRunOptions { Provider = OnnxProvider.Cuda }));
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", error.Message, StringComparison.Ordinal);
    }
}
