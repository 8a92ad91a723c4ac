using InceptionDsl.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Inference;

/// <summary>
/// Every zoo model: BatchNorm folding with channels-last weights (<c>Fuse()</c>) keeps the logits to
/// 1e-5 relative, forward leaves its input alone (the generated code works in place only on tensors
/// it owns), and <c>ForwardFeatures</c> returns the maps at strides 4, 8, 16, 32 as <c>FeatureStages</c> announces.
/// Small inputs keep it fast (the smallest size each model accepts among a few).
/// </summary>
public sealed class FusionAndFeaturesTests
{
    private static readonly long[] Sizes = { 64, 96, 128, 160 };

    public static TheoryData<string> Models()
    {
        var data = new TheoryData<string>();
        foreach (var entry in ModelZoo.Entries)
            data.Add(entry.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void FusedMatchesUnfusedAndFeaturesHaveTheAnnouncedStrides(string name)
    {
        var entry = ModelZoo.Find(name)!;
        torch.manual_seed(11);
        using var model = entry.Create(entry.Classes, entry.InChannels, false);
        CheckpointTests.RandomizeBatchNorm(model);
        model.eval();
        var generated = (IInceptionDslModel)model;

        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        var (input, unfused) = FirstAcceptedInput(model, entry.InChannels, Math.Max(entry.Height, entry.Width));
        long size = input.shape[2];
        var original = input.clone();

        // Features: strides 4, 8, 16, 32 (all four for an ImageNet-sized model; a tiny model reaches
        // fewer), channels as announced, maps shrinking stage by stage.
        var strides = generated.FeatureStages.Select(s => s.Stride).ToArray();
        // SqueezeNet's trunk ends at stride 16 (13x13 at 224: no stride-32 map to offer).
        Assert.Equal(new[] { 4, 8, 16, 32 }.Take(Math.Max(entry.Height, entry.Width) >= 224 ? name == "SqueezeNet1_1" ? 3 : 4 : strides.Length), strides);
        Assert.NotEmpty(strides);
        var features = generated.ForwardFeatures(input);
        Assert.Equal(generated.FeatureStages.Select(s => s.Stage), features.Select(f => f.Stage));
        long previous = long.MaxValue;
        foreach (var (info, map) in generated.FeatureStages.Zip(features))
        {
            Assert.Equal(info.Stride, map.Stride);
            Assert.Equal(info.Channels, map.Map.shape[1]);
            Assert.True(map.Map.shape[2] <= previous, $"{info.Stage}: {map.Map.shape[2]} after {previous}");
            previous = map.Map.shape[2];
        }

        // Fused: every convolution weight channels-last, same logits to 1e-5 relative, same features.
        var fusedModel = generated.Fuse();
        Assert.Same(model, fusedModel);
        Assert.All(model.modules().OfType<TorchSharp.Modules.Conv2d>(), conv => Assert.True(InceptionDslInference.IsChannelsLast(conv.weight!)));
        var fused = model.forward(input);
        var relative = (fused - unfused).abs().max().item<float>() / unfused.abs().max().item<float>();
        Assert.True(relative < 1e-5, $"{name}: fused vs unfused relative difference {relative:E3} at {size}x{size}");
        var fusedFeatures = generated.ForwardFeatures(input);
        var last = features[^1].Map;
        var lastRelative = (fusedFeatures[^1].Map - last).abs().max().item<float>() / last.abs().max().item<float>();
        Assert.True(lastRelative < 1e-5, $"{name}: fused features relative difference {lastRelative:E3}");
        Assert.True(input.equal(original).all().item<bool>(), $"{name}: forward changed its input");
    }

    [Theory]
    [InlineData("GoogLeNet")]
    [InlineData("ResNet18")]
    public void FusedInNchwKeepsTheLayoutAndTheLogits(string name)
    {
        var entry = ModelZoo.Find(name)!;
        using var scope = NewDisposeScope();
        using var mode = inference_mode();
        torch.manual_seed(5);
        using var model = entry.Create(entry.Classes, entry.InChannels, false);
        CheckpointTests.RandomizeBatchNorm(model);
        model.eval();
        var input = randn(2, entry.InChannels, 96, 96);
        var unfused = model.forward(input);
        ((IInceptionDslModel)model).Fuse(channelsLast: false);
        Assert.All(model.modules().OfType<TorchSharp.Modules.Conv2d>(), conv => Assert.True(conv.weight!.is_contiguous()));
        var features = ((IInceptionDslModel)model).ForwardFeatures(input);
        Assert.All(features, f => Assert.True(f.Map.is_contiguous(), $"{f.Stage} is not NCHW-contiguous"));
        var relative = (model.forward(input) - unfused).abs().max().item<float>() / unfused.abs().max().item<float>();
        Assert.True(relative < 1e-5, $"{name}: fused (NCHW) vs unfused relative difference {relative:E3}");

        // Channels-last after the fact: the maps take the weights' layout from the first convolution on.
        InceptionDslInference.ToChannelsLast(model);
        Assert.All(((IInceptionDslModel)model).ForwardFeatures(input), f => Assert.True(InceptionDslInference.IsChannelsLast(f.Map), $"{f.Stage} is not channels-last"));
    }

    private static (Tensor Input, Tensor Logits) FirstAcceptedInput(nn.Module<Tensor, Tensor> model, long channels, long native)
    {
        foreach (var size in Sizes.Where(s => s < native).Append(native))
        {
            var input = randn(1, channels, size, size);
            try
            {
                return (input, model.forward(input));
            }
            catch (Exception error) when (error is System.Runtime.InteropServices.ExternalException or ArgumentException or InvalidOperationException)
            {
                // The map collapses somewhere at this size: try a larger one.
            }
        }

        throw new InvalidOperationException("no input size accepted");
    }

    [Fact]
    public void HeadlessAndOtherHeads()
    {
        using var scope = NewDisposeScope();
        using var headless = new ResNet18(numClasses: 0);
        Assert.DoesNotContain(headless.state_dict().Keys, k => k.StartsWith("fc.", StringComparison.Ordinal));
        headless.eval();
        Assert.Equal(new long[] { 2, 512 }, headless.forward(randn(2, 3, 64, 64)).shape);

        using var v3 = new InceptionV3(numClasses: 0, auxLogits: false);
        v3.eval();
        Assert.Equal(new long[] { 1, 2048 }, v3.forward(randn(1, 3, 299, 299)).shape);

        using var gray = new GoogLeNet(numClasses: 7, inChannels: 1, auxLogits: false);
        gray.eval();
        Assert.Equal(new long[] { 1, 7 }, gray.forward(randn(1, 1, 96, 96)).shape);
        var features = gray.ForwardFeatures(randn(1, 1, 96, 96));
        Assert.Equal(new[] { "conv3", "inception3b", "inception4e", "inception5b" }, features.Select(f => f.Stage));
    }

    [Fact]
    public void FeatureMapsAtTheNativeSizeHaveTheirStride()
    {
        // At 299x299 the valid-padded stems give 71, 35, 17 and 8 pixels: strides 4, 8, 16, 32 rounded.
        using var scope = NewDisposeScope();
        using var model = new InceptionV3(auxLogits: false);
        model.eval();
        using var mode = inference_mode();
        var maps = model.ForwardFeatures(randn(1, 3, 299, 299));
        Assert.Equal(new long[] { 71, 35, 17, 8 }, maps.Select(m => m.Map.shape[2]));
        Assert.Equal(new[] { "Conv2d_4a_3x3", "Mixed_5d", "Mixed_6e", "Mixed_7c" }, maps.Select(m => m.Stage));
    }

    [Fact]
    public void InceptionV4ReadsTheStagesInsideItsFeaturesSequential()
    {
        // timm's features_only stages of inception_v4: features.4, .9, .17, .21.
        using var model = new InceptionV4();
        Assert.Equal(new[] { ("features.4", 4, 192L), ("features.9", 8, 384L), ("features.17", 16, 1024L), ("features.21", 32, 1536L) },
            model.FeatureStages.Select(s => (s.Stage, s.Stride, s.Channels)));
    }
}
