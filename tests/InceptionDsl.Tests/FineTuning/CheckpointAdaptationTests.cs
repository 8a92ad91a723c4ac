using InceptionDsl.Models;
using InceptionDsl.Reference;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>
/// The real GoogLeNet fp16 checkpoints fitted to other tasks: 10 classes re-initialise the head, 1 and 4 input channels
/// adapt the first convolution as timm's adapt_input_conv, and what cannot be fitted is listed.
/// </summary>
public sealed class CheckpointAdaptationTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private const string FirstConv = "conv1.conv.weight";

    private static Dictionary<string, Tensor> File(string name) => CheckpointLoader.Read(ReferencePaths.CheckpointFile(name));

    [Theory]
    [InlineData("googlenet_det_fp16.safetensors", 1)]
    [InlineData("googlenet_det_fp16.pt", 4)]
    public void TenClassesAndOtherChannelsLoadWithTheHeadReinitialisedAndTheStemAdapted(string checkpoint, int channels)
    {
        var file = File(checkpoint);
        manual_seed(0);
        using var model = new GoogLeNet(numClasses: 10, inChannels: channels, auxLogits: false);

        var result = CheckpointLoader.Load(model, ReferencePaths.CheckpointFile(checkpoint), CheckpointLoadOptions.FineTune);

        Assert.Equal(new[] { CheckpointAdaptationKind.InputChannelsAdapted, CheckpointAdaptationKind.HeadReinitialized }, result.Adaptations.Select(a => a.Kind));
        Assert.Equal(new[] { FirstConv }, result.Adaptations[0].Keys);
        Assert.Equal(new[] { "fc.weight", "fc.bias" }, result.Adaptations[1].Keys);
        Assert.Contains("10 classes, the file 1000", result.Adaptations[1].Description);
        var state = model.state_dict();

        // The formula, element by element, from the file's float16 RGB weights w [64, 3, 7, 7]:
        // 1 channel: w'[o, 0] = w[o, 0] + w[o, 1] + w[o, 2]; C > 3: w'[o, c] = w[o, c mod 3] * 3 / C; then rounded to float16 as timm returns the file's dtype.
        var rgb = file[FirstConv].to_type(ScalarType.Float32);
        var adapted = state[FirstConv];
        Assert.Equal(new long[] { 64, channels, 7, 7 }, adapted.shape);
        for (int c = 0; c < channels; c++)
        {
            var expected = channels == 1
                ? rgb.select(1, 0) + rgb.select(1, 1) + rgb.select(1, 2)
                : rgb.select(1, c % 3) * (3.0f / channels);
            var rounded = expected.to_type(ScalarType.Float16).to_type(ScalarType.Float32);
            Assert.True(Same(adapted.select(1, c), rounded), $"channel {c}: max |diff| {(adapted.select(1, c) - rounded).abs().max().item<float>():E3}");
        }

        // Every other entry but the head is the file's.
        foreach (var (key, value) in state)
        {
            if (key is FirstConv or "fc.weight" or "fc.bias")
                continue;
            Assert.True(Same(value, file[key].to_type(value.dtype)), key);
        }

        // The head is PyTorch's fresh Linear: within 1 / sqrt(fan_in), not the file's rows.
        var fc = state["fc.weight"];
        Assert.Equal(new long[] { 10, 1024 }, fc.shape);
        Assert.True(fc.abs().max().item<float>() <= 1 / 32f + 1e-7f);
        Assert.False(Same(fc, file["fc.weight"].slice(0, 0, 10, 1).to_type(ScalarType.Float32)));

        // The adapted model runs on inputs of its channel count.
        model.eval();
        using var logits = model.forward(randn(2, channels, 64, 64));
        Assert.Equal(new long[] { 2, 10 }, logits.shape);
        foreach (var tensor in file.Values) tensor.Dispose();
    }

    [Fact]
    public void AStrictLoadListsTheMisShapedHeadAndStem()
    {
        using var model = new GoogLeNet(numClasses: 10, inChannels: 1, auxLogits: false);
        var error = Assert.Throws<CheckpointMismatchException>(() => CheckpointLoader.Load(model, ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors")));
        Assert.Equal(new[] { FirstConv, "fc.weight", "fc.bias" }.Order(), error.MisShaped.Select(m => m.Name).Order());
        Assert.Contains("mis-shaped: fc.weight: module [10, 1024], file [1000, 1024]", error.Message);
    }

    [Fact]
    public void AFileOfAnotherModelListsMissingUnexpectedAndMisShapedNames()
    {
        using var model = new ResNet18(numClasses: 10);
        var error = Assert.Throws<CheckpointMismatchException>(() =>
            CheckpointLoader.Load(model, ReferencePaths.CheckpointFile("googlenet_det_fp16.pt"), CheckpointLoadOptions.FineTune));
        Assert.Contains("layer1.0.conv1.weight", error.Missing);
        Assert.Contains("inception3a.branch1.conv.weight", error.Unexpected);
        // fc exists in both with other input features: not a class-count change, so it stays an error.
        Assert.Contains("fc.weight", error.MisShaped.Select(m => m.Name));
        Assert.Contains("missing in the file: layer1.0.conv1.weight", error.Message);
        // Nothing was copied: the model keeps its own conv1.
        Assert.Equal(new long[] { 64, 3, 7, 7 }, model.state_dict()["conv1.weight"].shape);
    }

    [Fact]
    public void TheSha256IsCheckedBeforeLoading()
    {
        var path = ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors");
        var hash = CheckpointHash.Compute(path);
        using var model = new GoogLeNet(auxLogits: false);
        CheckpointLoader.Load(model, path, new CheckpointLoadOptions { Sha256 = hash[..8].ToUpperInvariant() });
        var wrong = (hash[0] == '0' ? "1" : "0") + hash[1..];
        var error = Assert.Throws<CheckpointHashException>(() => CheckpointLoader.Load(model, path, new CheckpointLoadOptions { Sha256 = wrong }));
        Assert.Equal(hash, error.Actual);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(6)]
    [InlineData(7)]
    public void AdaptInputConvRepeatsRgbAndScales(int channels)
    {
        var weight = arange(2 * 3 * 2 * 2, dtype: ScalarType.Float32).reshape(2, 3, 2, 2);
        var adapted = CheckpointAdapter.AdaptInputConv(weight, channels);
        Assert.Equal(new long[] { 2, channels, 2, 2 }, adapted.shape);
        for (int c = 0; c < channels; c++)
            Assert.True(adapted.select(1, c).allclose(weight.select(1, c % 3) * (3.0 / channels), rtol: 1e-6, atol: 1e-6), $"channel {c}");
        // Summed over channels, the response to a constant image is kept: sum_c w'[:, c] = sum_rgb w * (3/C) * (C/3) when C is a multiple of 3.
        if (channels % 3 == 0)
            Assert.True(adapted.sum(1).allclose(weight.sum(1), rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void TheFirstConvolutionAndClassifierAreFoundFromTheStructure()
    {
        using var googlenet = new GoogLeNet();
        using var resnet = new ResNet50();
        using var v4 = new InceptionV4();
        Assert.Equal(("conv1.conv", "fc"), (CheckpointAdapter.FirstConvolution(googlenet)!.Value.Path, CheckpointAdapter.Classifier(googlenet)!.Value.Path));
        Assert.Equal(("conv1", "fc"), (CheckpointAdapter.FirstConvolution(resnet)!.Value.Path, CheckpointAdapter.Classifier(resnet)!.Value.Path));
        Assert.Equal("last_linear", CheckpointAdapter.Classifier(v4)!.Value.Path);
        Assert.StartsWith("features.0", CheckpointAdapter.FirstConvolution(v4)!.Value.Path);
    }
}
