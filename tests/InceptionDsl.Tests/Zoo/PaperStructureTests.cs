using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// Models without a peer reference file (Inception-v2 after TF-slim, Inception-ResNet-v1 after
/// facenet-pytorch): a forward pass, the stage shapes of the lowered IR against the paper's (or the
/// reference code's) tables, and the parameter counts derived by hand from the reference code.
/// </summary>
public sealed class PaperStructureTests
{
    private static IReadOnlyDictionary<string, string> StageShapes(string specFile, string model)
    {
        var path = Path.Combine(ReferencePaths.RepoRoot, "specs", specFile);
        var result = SpecCompiler.Compile(path, File.ReadAllText(path));
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var ir = Assert.Single(result.Models, m => m.ClassName == model);
        return ir.Layers.ToDictionary(l => l.Path, l => l.OutputShape);
    }

    private static void AssertStages(IReadOnlyDictionary<string, string> actual, (string Path, string Shape)[] expected)
    {
        foreach (var (path, shape) in expected)
        {
            Assert.True(actual.ContainsKey(path), $"no layer row '{path}'");
            Assert.True(shape == actual[path], $"{path}: expected {shape}, lowered {actual[path]}");
        }
    }

    private static long[] ForwardShape(nn.Module<Tensor, Tensor> model, int size)
    {
        model.eval();
        using var _ = no_grad();
        using var input = randn(1, 3, size, size);
        using var output = model.forward(input);
        Assert.False(output.isnan().any().item<bool>());
        return output.shape;
    }

    // ---------------------------------------------------------------- Inception-v2 (BN-Inception)

    [Fact]
    public void InceptionV2ForwardGivesOneLogitPerClass()
    {
        using var model = new InceptionV2();
        Assert.Equal(new long[] { 1, 1000 }, ForwardShape(model, 224));
    }

    [Fact]
    public void InceptionV2StagesMatchTheSlimTable()
    {
        var shapes = StageShapes("inception_v2.inception.yaml", "InceptionV2");
        // The size comments of TF-slim research/slim/nets/inception_v2.py (inception_v2_base, 224x224
        // input, HxWxC written here as [C, H, W]); the same sizes as the BN paper's figure 5 table.
        AssertStages(shapes, new[]
        {
            ("Conv2d_1a_7x7.depthwise", "[24, 112, 112]"),   // separable conv, depth multiplier 8
            ("Conv2d_1a_7x7", "[64, 112, 112]"),             // 112 x 112 x 64
            ("Conv2d_2b_1x1", "[64, 56, 56]"),               // after MaxPool_2a_3x3: 56 x 56 x 64
            ("Conv2d_2c_3x3", "[192, 56, 56]"),              // 56 x 56 x 192
            ("Mixed_3b", "[256, 28, 28]"),                   // after MaxPool_3a_3x3 (28 x 28 x 192): 28 x 28 x 256
            ("Mixed_3c", "[320, 28, 28]"),                   // 28 x 28 x 320
            ("Mixed_4a", "[576, 14, 14]"),                   // 14 x 14 x 576
            ("Mixed_4b", "[576, 14, 14]"),
            ("Mixed_4c", "[576, 14, 14]"),
            ("Mixed_4d", "[576, 14, 14]"),
            ("Mixed_4e", "[576, 14, 14]"),
            ("Mixed_5a", "[1024, 7, 7]"),                    // 7 x 7 x 1024
            ("Mixed_5b", "[1024, 7, 7]"),
            ("Mixed_5c", "[1024, 7, 7]"),
            ("Logits", "[1000]"),                            // after AvgPool_1a_7x7 (1 x 1 x 1024)
        });
    }

    [Fact]
    public void InceptionV2CountsMatchTheSlimDerivation()
    {
        // Derived from inception_v2.py: conv weights 10,143,384 (depthwise 7*7*24 = 1,176) over 9,952
        // BN channels, classifier 1024*1000 + 1000. Ours has gamma and beta per BN channel; slim's
        // batch_norm has scale=False (beta only): slim counts 11,178,336 trainable at 1000 classes.
        const long convWeights = 10_143_384, bnChannels = 9_952, classifier = 1024 * 1000 + 1000;
        Assert.Equal(convWeights + 2 * bnChannels + classifier, InceptionV2.ParameterCount);
        Assert.Equal(11_188_288L, InceptionV2.ParameterCount);
        Assert.Equal(11_178_336L, convWeights + bnChannels + classifier);
        Assert.Equal(3_869_714_432L, InceptionV2.FlopCount);
        using var model = new InceptionV2();
        Assert.Equal(InceptionV2.ParameterCount, model.parameters().Sum(p => p.numel()));
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("Conv2d_1a_7x7.depthwise.weight", names);
        Assert.Contains("Conv2d_1a_7x7.pointwise.bn.running_var", names);
        Assert.Contains("Mixed_5c.Branch_3.Conv2d_0b_1x1.conv.weight", names);
        Assert.Contains("Mixed_4a.Branch_1.Conv2d_1a_3x3.bn.bias", names);
        Assert.Contains("Logits.bias", names);
    }

    // ------------------------------------------------------------------- Inception-ResNet-v1

    [Fact]
    public void InceptionResNetV1ForwardGivesOneLogitPerClass()
    {
        using var model = new InceptionResNetV1();
        Assert.Equal(new long[] { 1, 1000 }, ForwardShape(model, 299));
    }

    [Fact]
    public void InceptionResNetV1StagesMatchThePaperFigures()
    {
        var shapes = StageShapes("inception_resnet_v1.inception.yaml", "InceptionResNetV1");
        // Szegedy et al. 2017, figure 14 (stem of Inception-ResNet-v1, 299x299x3 input) and
        // figure 15 (the schema: 5x A, Reduction-A, 10x B, Reduction-B, 5x C, avg pool, 1000-way).
        AssertStages(shapes, new[]
        {
            ("conv2d_1a", "[32, 149, 149]"),     // 3x3 conv 32 stride 2 V: 149x149x32
            ("conv2d_2a", "[32, 147, 147]"),     // 3x3 conv 32 V: 147x147x32
            ("conv2d_2b", "[64, 147, 147]"),     // 3x3 conv 64: 147x147x64
            ("conv2d_3b", "[80, 73, 73]"),       // after 3x3 max pool stride 2 V (73x73x64): 1x1 conv 80, 73x73x80
            ("conv2d_4a", "[192, 71, 71]"),      // 3x3 conv 192 V: 71x71x192
            ("conv2d_4b", "[256, 35, 35]"),      // 3x3 conv 256 stride 2 V: 35x35x256
            ("repeat_1", "[256, 35, 35]"),       // 5 x Inception-ResNet-A: 35x35x256
            ("repeat_1.4", "[256, 35, 35]"),
            ("mixed_6a", "[896, 17, 17]"),       // Reduction-A: 17x17x896
            ("repeat_2", "[896, 17, 17]"),       // 10 x Inception-ResNet-B: 17x17x896
            ("repeat_2.9", "[896, 17, 17]"),
            ("mixed_7a", "[1792, 8, 8]"),        // Reduction-B: 8x8x1792
            ("repeat_3", "[1792, 8, 8]"),        // 5 x Inception-ResNet-C: 8x8x1792
            ("block8", "[1792, 8, 8]"),          // the last block, no ReLU
            ("logits", "[1000]"),                // after average pooling (1792) and dropout (keep 0.8)
        });
    }

    [Fact]
    public void InceptionResNetV1CountsMatchTheFacenetDerivation()
    {
        // facenet-pytorch's InceptionResnetV1 without its face head (last_linear 1792*512, last_bn
        // 2*512) has 23,482,624 - 918,528 = 22,564,096 parameters; ours adds the 1792 -> 1000 logits.
        const long trunk = 23_482_624 - (1792 * 512 + 2 * 512);
        Assert.Equal(22_564_096L, trunk);
        Assert.Equal(trunk + 1792 * 1000 + 1000, InceptionResNetV1.ParameterCount);
        Assert.Equal(24_357_096L, InceptionResNetV1.ParameterCount);
        Assert.Equal(12_617_195_712L, InceptionResNetV1.FlopCount);
        using var model = new InceptionResNetV1();
        Assert.Equal(InceptionResNetV1.ParameterCount, model.parameters().Sum(p => p.numel()));
        var names = model.state_dict().Keys.ToHashSet();
        Assert.Contains("repeat_1.0.branch2.2.bn.running_mean", names);
        Assert.Contains("repeat_3.4.conv2d.bias", names);
        Assert.Contains("mixed_7a.branch2.2.conv.weight", names);
        Assert.Contains("block8.conv2d.weight", names);
        Assert.Contains("logits.weight", names);
    }

    [Fact]
    public void ResidualScaleAndNoReluAreRunTimeBlockParameters()
    {
        // relu(x + scale * up(cat)): with scale 0 a Block35 is relu(x); a Block8 without ReLU is x.
        using var _ = no_grad();
        using var input = randn(1, 256, 9, 9);
        using var zeroScale = new InceptionResNetV1.Block35(256, scale: 0.0);
        zeroScale.eval();
        using var relu = nn.functional.relu(input);
        Assert.True(zeroScale.forward(input).allclose(relu));

        using var wide = randn(1, 1792, 3, 3);
        using var identity = new InceptionResNetV1.Block8(1792, scale: 0.0, noRelu: true);
        identity.eval();
        Assert.True(identity.forward(wide).allclose(wide));
        using var scaled = new InceptionResNetV1.Block8(1792, scale: 0.2, noRelu: true);
        scaled.eval();
        Assert.False(scaled.forward(wide).allclose(wide));
    }
}
