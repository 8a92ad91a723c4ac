using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Weights;

/// <summary>
/// The generated catalogue (<c>Model.Weights.Name</c>): the zoo's entries equal what the specs say, loading checks the
/// file's SHA-256 (prefix or full) before reading, the preprocessing computes what torchvision's eval transform does,
/// and the CLI lists it.
/// </summary>
public sealed class WeightsCatalogueTests
{
    /// <summary>Every zoo model's weights as the core reads them from its spec (not copied figures).</summary>
    private static Dictionary<string, IReadOnlyList<InceptionDsl.Syntax.WeightsFacts>> SpecWeights() =>
        GeneratorHarness.ZooSpecs()
            .SelectMany(spec => SpecCompiler.Compile(spec.Path, spec.Text).Models)
            .ToDictionary(m => m.ClassName, m => (IReadOnlyList<InceptionDsl.Syntax.WeightsFacts>)m.Weights.ToList());

    [Fact]
    public void TheZooCatalogueIsWhatTheSpecsSay()
    {
        var specs = SpecWeights();
        Assert.Equal(specs.Keys.Order(), ModelZoo.Entries.Select(e => e.Name).Order());
        foreach (var entry in ModelZoo.Entries)
        {
            var expected = specs[entry.Name];
            Assert.Equal(expected.Select(w => w.Name), entry.Weights.Select(w => w.Name));
            foreach (var (facts, weights) in expected.Zip(entry.Weights))
            {
                Assert.Equal(entry.Name, weights.Model);
                Assert.Equal((facts.FileName, facts.Sha256, facts.Source, facts.License, facts.Citation),
                    (weights.FileName, weights.Sha256, weights.Source, weights.License, weights.Citation));
                Assert.Equal(facts.Mean, weights.Mean);
                Assert.Equal(facts.Std, weights.Std);
                Assert.Equal((facts.Height, facts.Width, facts.CropFraction, facts.Interpolation, facts.Top1, facts.Top5),
                    (weights.Height, weights.Width, weights.CropFraction, weights.Interpolation, weights.Top1, weights.Top5));
                // The file name carries the hash prefix, as torch.hub's names do.
                Assert.Contains(weights.Sha256, weights.FileName);
                Assert.Equal(entry.InChannels, weights.Mean.Count);
                Assert.Equal((entry.Height, entry.Width), (weights.Height, weights.Width));
            }
        }
    }

    [Fact]
    public void TheZooModelsWithPublishedWeightsHaveACatalogue()
    {
        // The torchvision and timm models whose weight tables the specs cite (docs/weights.md lists what is left out).
        string[] expected = ["GoogLeNet", "InceptionV3", "InceptionV4", "InceptionResNetV2", "LegacyXception", "ResNet18", "ResNet34", "ResNet50",
            "ResNet101", "ResNet152", "ResNeXt50_32x4d", "ResNeXt101_32x8d", "ResNeXt101_64x4d", "WideResNet50_2", "WideResNet101_2",
            "ResNet50D", "SEResNet50", "SEResNeXt26D_32x4d", "SKResNet18", "SKResNet34", "SKResNeXt50_32x4d",
            "AlexNet", "VGG11_BN", "SqueezeNet1_1", "MobileNetV2", "EfficientNet_B0", "MobileNetV3_Large",
            "DenseNet121", "RegNetY_400MF", "ShuffleNetV2_x1_0", "ConvNeXt_Tiny"];
        Assert.Equal(expected.Order(), ModelZoo.Entries.Where(e => e.Weights.Count > 0).Select(e => e.Name).Order());
        // Typed access, as a user writes it.
        Assert.Same(ResNet50.Weights.ImageNet1K_V1, ResNet50.Weights.All[0]);
        Assert.Equal("resnet50-0676ba61.pth", ResNet50.Weights.ImageNet1K_V1.FileName);
        Assert.All(ModelZoo.Entries.SelectMany(e => e.Weights), w => Assert.NotNull(w.Citation));
    }

    [Fact]
    public void TheResizeIsTheOneTheSourcesUse()
    {
        // torchvision's transforms: resize 256 (V1), 232 (V2), 342 (Inception-v3); timm: floor(299 / 0.875) = 341, floor(299 / 0.8975) = 333.
        Assert.Equal(256, ResNet50.Weights.ImageNet1K_V1.Preprocessing.ResizeSize);
        Assert.Equal(232, ResNet50.Weights.ImageNet1K_V2.Preprocessing.ResizeSize);
        Assert.Equal(342, InceptionV3.Weights.ImageNet1K_V1.Preprocessing.ResizeSize);
        Assert.Equal(341, InceptionV4.Weights.TfInImageNet1K.Preprocessing.ResizeSize);
        Assert.Equal(333, InceptionResNetV2.Weights.TfInImageNet1K.Preprocessing.ResizeSize);
        // timm's model cards for its own ResNet-family weights: 224, crop 0.875 (resize 256), bicubic.
        Assert.Equal(256, ResNet50D.Weights.Ra2InImageNet1K.Preprocessing.ResizeSize);
        Assert.Equal(256, SKResNeXt50_32x4d.Weights.RaInImageNet1K.Preprocessing.ResizeSize);
    }

    /// <summary>A catalogue entry for the real PyTorch-written GoogLeNet file, with the given hash.</summary>
    private static PretrainedWeights EntryFor(string path, string sha256) =>
        GoogLeNet.Weights.ImageNet1K_V1 with { Name = "Det", FileName = Path.GetFileName(path), Sha256 = sha256 };

    [Fact]
    public void LoadingChecksTheHashByPrefixOrInFull()
    {
        var path = ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors");
        var hash = CheckpointHash.Compute(path);
        using var model = new GoogLeNet(auxLogits: false);
        foreach (var sha in new[] { hash[..8], hash[..20], hash })
        {
            var weights = EntryFor(path, sha);
            Assert.Equal(sha.Length < 64, weights.IsSha256Prefix);
            Assert.True(weights.MatchesSha256(hash.ToUpperInvariant()));
            var result = model.Load(weights, path);
            Assert.Equal(model.state_dict().Count, result.Entries);
        }
    }

    [Fact]
    public void AnotherFileIsRefusedInOneLineBeforeReading()
    {
        var path = ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors");
        var hash = CheckpointHash.Compute(path);
        using var model = new GoogLeNet(auxLogits: false);
        var before = model.state_dict()["conv1.conv.weight"].clone();
        foreach (var wrong in new[] { (hash[0] == '0' ? "1" : "0") + hash[1..8], (hash[0] == '0' ? "1" : "0") + hash[1..] })
        {
            var weights = EntryFor(path, wrong);
            Assert.False(weights.MatchesSha256(hash));
            var error = Assert.Throws<CheckpointHashException>(() => model.Load(weights, path));
            Assert.Equal(hash, error.Actual);
            Assert.DoesNotContain('\n', error.Message);
            Assert.Contains(wrong, error.Message);
            Assert.True(model.state_dict()["conv1.conv.weight"].allclose(before, rtol: 0, atol: 0), "nothing may be copied from a refused file");
        }
    }

    [Fact]
    public void PreprocessingCropsAndNormalisesATensor()
    {
        // 4x4 image of 0..15 / 16; size 2 with crop 0.5 keeps the shorter side at floor(2 / 0.5) = 4 and takes the middle 2x2.
        var pre = new PretrainedPreprocessing(2, 2, [0.25], [0.5], 0.5, "bilinear");
        using var image = arange(16, dtype: ScalarType.Float32).reshape(1, 1, 4, 4) / 16;
        using var result = pre.Apply(image);
        Assert.Equal(new long[] { 1, 1, 2, 2 }, result.shape);
        float[] pixels = [5, 6, 9, 10];
        Assert.Equal(pixels.Select(p => (p / 16 - 0.25f) / 0.5f), result.data<float>().ToArray());
    }

    [Fact]
    public void PreprocessingResizesTheShorterSideThenCropsTheCenter()
    {
        // 2x4 (HxW) image, nearest: the shorter side 2 goes to 4, the longer to 8, each pixel doubled; the 2x2 center is
        // rows 1-2 and columns 3-4 of the doubled image, pixels (0, 1), (0, 2), (1, 1), (1, 2) of the original.
        var pre = new PretrainedPreprocessing(2, 2, [0.0], [1.0], 0.5, "nearest");
        using var image = tensor(new float[] { 0, 1, 2, 3, 4, 5, 6, 7 }).reshape(1, 1, 2, 4);
        Assert.Equal((4L, 8L), pre.ResizeTarget(2, 4));
        using var result = pre.Apply(image);
        Assert.Equal(new float[] { 1, 2, 5, 6 }, result.data<float>().ToArray());

        // Without a crop fraction the whole image is resized to the size: 2x4 -> 4x4 keeps each column pair's first value.
        var whole = pre with { Height = 4, Width = 4, CropFraction = null };
        using var resized = whole.Apply(image);
        Assert.Equal(new float[] { 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7 }, resized.data<float>().ToArray());
    }

    [Fact]
    public void PreprocessingOfTensorsAndImagesOnDiskAgree()
    {
        // The entry's preprocessing for images on disk (ImagePreprocessing) has the same size, crop, interpolation, mean and std.
        var weights = InceptionResNetV2.Weights.TfInImageNet1K;
        var disk = weights.ImagePreprocessing();
        Assert.Equal((299, 299, 0.8975, "bicubic"), (disk.Width, disk.Height, disk.CropFraction, disk.Interpolation));
        Assert.Equal(weights.Mean.Select(v => (float)v), disk.Mean);
        Assert.Equal(weights.Std.Select(v => (float)v), disk.Std);
        var (diskWidth, diskHeight) = disk.ResizeTarget(600, 400);
        Assert.Equal(weights.Preprocessing.ResizeTarget(400, 600), ((long)diskHeight, (long)diskWidth));
        var gray = weights.ImagePreprocessing(channels: 1);
        Assert.Equal([0.5f], gray.Mean);

        // On a tensor both compute the same pixels. Bilinear upscaling (200x210 to 256x268, then the 224 crop), where
        // antialiasing changes nothing; bicubic differs by its kernel (antialiased: PIL's a = -0.5, plain: a = -0.75).
        var bilinear = ResNet50.Weights.ImageNet1K_V1;
        manual_seed(1);
        using var images = rand(2, 3, 200, 210);
        using var generated = bilinear.Preprocessing.Apply(images);
        using var training = bilinear.ImagePreprocessing().Apply(images);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, generated.shape);
        var largest = (generated - training).abs().max().item<float>();
        // Float rounding of the two resize kernels only: under 1e-5 in 0..1 pixels, divided by a std of about 0.23.
        Assert.True(largest < 1e-4, $"the generated transform and the training one differ by up to {largest}");
    }

    [Fact]
    public void TheCliListsTheCatalogue()
    {
        var (exit, stdout, stderr) = CliProcess.Run("weights", "ResNet50");
        Assert.True(exit == 0, stderr);
        foreach (var weights in ResNet50.Weights.All)
        {
            Assert.Contains($"{weights.Name}: source {weights.Source}", stdout);
            Assert.Contains($"{weights.Name}: accuracy as reported by {weights.Citation}", stdout);
        }

        var all = CliProcess.Run("weights");
        Assert.Equal(0, all.Exit);
        var withWeights = ModelZoo.Entries.Where(e => e.Weights.Count > 0).ToList();
        Assert.Contains($"{withWeights.Sum(e => e.Weights.Count)} entries for {withWeights.Count} models.", all.Stdout);
        var unknown = CliProcess.Run("weights", "NoSuchNet");
        Assert.Equal(1, unknown.Exit);
        Assert.Contains("no model named 'NoSuchNet'", unknown.Stderr);
    }

    [Fact]
    public void TrainTakesACatalogueEntryAndRefusesAnotherFile()
    {
        var path = ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors");
        var hash = CheckpointHash.Compute(path);
        var output = Path.Combine(Path.GetTempPath(), "inceptiondsl-weights-" + Guid.NewGuid().ToString("N"));
        try
        {
            string[] small = ["--train-size", "4", "--val-size", "4", "--image-size", "32", "--epochs", "1", "--out", output];
            var entry = ResNet18.Weights.ImageNet1K_V1;
            var (exit, stdout, stderr) = CliProcess.Run(["train", "ResNet18", "--weights", $"{entry.Name}={path}", .. small]);
            Assert.Equal(1, exit);
            Assert.Contains($"weights: {entry} from {entry.Source}; expected SHA-256 {entry.Sha256}...", stdout);
            var error = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains($"SHA-256 {hash} does not match the expected {entry.Sha256}", error);

            var unknown = CliProcess.Run(["train", "ResNet18", "--weights", $"NoSuchWeights={path}", .. small]);
            Assert.Equal(1, unknown.Exit);
            Assert.Contains($"ResNet18 has no weights named 'NoSuchWeights'; its catalogue: {entry.Name}", unknown.Stderr);

            var both = CliProcess.Run(["train", "ResNet18", "--weights", $"{entry.Name}={path}", "--weights-sha256", hash[..8], .. small]);
            Assert.NotEqual(0, both.Exit);
            Assert.Contains("a catalogue entry (NAME=FILE) has its own SHA-256", both.Stdout + both.Stderr);
        }
        finally
        {
            if (Directory.Exists(output)) Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void ExplainNamesTheWeights()
    {
        var text = InceptionDsl.Analysis.Explainer.Explain(InceptionDsl.Tests.Explain.ExplainModels.Graph("ResNet50"));
        foreach (var weights in ResNet50.Weights.All)
            Assert.Contains($"weights {weights.Name}: {weights.FileName} ({weights.License})", text);
    }
}
