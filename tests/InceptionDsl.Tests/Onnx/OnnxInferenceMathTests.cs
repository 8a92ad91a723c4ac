using Google.Protobuf;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Tests.Inference;
using Onnx;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// One home for inference math: the ONNX file folds each BatchNorm with the formula Fuse() uses
/// (InceptionDslInference.FoldedWeights) into the convolution the IR pairs it with, and every layer's
/// geometry in the file is the IR's, right for each use of a block class.
/// </summary>
public sealed class OnnxInferenceMathTests
{
    /// <summary>Class-field pairs (ResNet18), pairs in Sequentials after members built under a condition (MobileNetV2), conv units (InceptionV3).</summary>
    [Theory]
    [InlineData("ResNet18")]
    [InlineData("MobileNetV2")]
    [InlineData("InceptionV3")]
    public void TheFileHoldsTheWeightsFuseComputesAndRunsAsTheFusedModel(string name)
    {
        var entry = ModelZoo.Find(name)!;
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = entry.Create(entry.Classes, entry.InChannels, false);
        CheckpointTests.RandomizeBatchNorm(model);
        model.eval();
        var proto = OnnxExport.ToModelProto((IOnnxExportable)model);
        Assert.DoesNotContain(proto.Graph.Node, n => n.OpType == "BatchNormalization");

        var input = randn(1, entry.InChannels, entry.Height, entry.Width);
        using var session = new OnnxModelSession(proto.ToByteArray());
        var exported = session.Run(input);
        ((IInceptionDslModel)model).Fuse(channelsLast: false);
        Tensor fused;
        using (no_grad())
            fused = model.call(input);
        var relative = (exported - fused).abs().max().item<float>() / fused.abs().max().item<float>();
        Assert.True(relative <= 1e-5, $"{name}: ONNX Runtime vs Fuse()'d TorchSharp relative difference {relative:E3}");

        // The same arithmetic, not two formulas that agree to a tolerance: every convolution tensor in the file is bit for bit the fused module's.
        var fusedState = model.state_dict();
        var convs = model.named_modules().Where(m => m.module is TorchSharp.Modules.Conv2d).Select(m => m.name).ToList();
        Assert.NotEmpty(convs);
        var initializers = proto.Graph.Initializer.ToDictionary(i => i.Name);
        foreach (var conv in convs)
        {
            foreach (var key in new[] { conv + ".weight", conv + ".bias" })
            {
                if (!fusedState.TryGetValue(key, out var tensorValue))
                    continue;
                Assert.True(initializers.TryGetValue(key, out var initializer), $"{name}: no initializer {key}");
                var stored = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(initializer.RawData.Span).ToArray();
                Assert.Equal(tensorValue.contiguous().reshape(-1).data<float>().ToArray(), stored);
            }
        }
    }

    /// <summary>
    /// Blocks used with different strides, kernels and groups (ResNet50D's Bottleneck, MobileNetV3's and EfficientNet's
    /// inverted residuals, whose kernel k and groups are constructor values): each Conv node's geometry equals the module's.
    /// </summary>
    [Theory]
    [InlineData("ResNet50D")]
    [InlineData("MobileNetV3_Large")]
    [InlineData("EfficientNet_B0")]
    public void EachUseOfABlockExportsItsOwnGeometry(string name)
    {
        var entry = ModelZoo.Find(name)!;
        using var model = entry.Create(entry.Classes, entry.InChannels, false);
        var proto = OnnxExport.ToModelProto((IOnnxExportable)model);
        var nodes = proto.Graph.Node.Where(n => n.OpType == "Conv").ToDictionary(n => n.Name);
        var strides = new HashSet<long>();
        foreach (var (path, module) in model.named_modules())
        {
            if (module is not TorchSharp.Modules.Conv2d conv)
                continue;
            Assert.True(nodes.TryGetValue(path, out var node), $"{name}: no Conv node {path}");
            long[] Ints(string attribute) => node!.Attribute.Single(a => a.Name == attribute).Ints.ToArray();
            long Int(string attribute) => node!.Attribute.Single(a => a.Name == attribute).I;
            var weight = conv.weight!.shape;
            Assert.Equal(new[] { weight[2], weight[3] }, Ints("kernel_shape"));
            Assert.Equal(Pair(conv.stride), Ints("strides"));
            var padding = conv.padding is { } p ? Pair(p) : new long[] { 0, 0 };
            Assert.Equal(padding.Concat(padding), Ints("pads"));
            Assert.Equal(Pair(conv.dilation), Ints("dilations"));
            Assert.Equal(conv.groups, Int("group"));
            strides.Add(Pair(conv.stride)[0]);
        }

        // The model has uses of one class that differ (else the test proves nothing about per-use values).
        Assert.True(strides.Count > 1, $"{name}: one stride only");
    }

    [Fact]
    public void TheBuilderRefusesAWeightThatIsNotTheKernelTheIrGives()
    {
        var graph = new OnnxGraphBuilder(3, 8, 8);
        using var weight = zeros(4, 3, 3, 3);
        var error = Assert.Throws<NotSupportedException>(() => graph.Conv("stem", graph.Input, weight, null, (1, 1), (1, 1), (0, 0), (1, 1), 1));
        Assert.Contains("stem", error.Message, StringComparison.Ordinal);
        Assert.Contains("1x1", error.Message, StringComparison.Ordinal);
    }

    private static long[] Pair(long[] values) => values.Length == 1 ? new[] { values[0], values[0] } : new[] { values[0], values[1] };
}
