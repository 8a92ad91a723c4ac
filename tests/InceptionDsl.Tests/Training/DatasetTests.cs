using InceptionDsl.Models;
using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Training;

/// <summary>The generated shapes dataset, the ImageFolder reader, and building a model from a spec file at run time.</summary>
public sealed class DatasetTests
{
    [Fact]
    public void GeneratedShapesAreDeterministicBalancedAndNormalized()
    {
        using var a = SyntheticShapes.Create(trainCount: 100, validationCount: 40, size: 24, classes: 10, seed: 9);
        using var b = SyntheticShapes.Create(trainCount: 100, validationCount: 40, size: 24, classes: 10, seed: 9);
        Assert.Equal(new long[] { 100, 3, 24, 24 }, a.Train.Images.shape);
        Assert.True(a.Train.Images.eq(b.Train.Images).all().item<bool>());
        Assert.False(a.Train.Images.narrow(0, 0, 40).eq(a.Validation.Images).all().item<bool>());
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(10, a.Train.Labels.eq(c).sum().item<long>()));
        // Values are (x - 0.5) / 0.25 of pixels in 0..1.
        Assert.True(a.Train.Images.min().item<float>() >= -2.0001f && a.Train.Images.max().item<float>() <= 2.0001f);
        Assert.Equal(SyntheticShapes.ClassNames, a.Train.Classes);
    }

    [Fact]
    public void ImageFolderReadsOneSubfolderPerClassResizedAndNormalized()
    {
        var root = Path.Combine(Path.GetTempPath(), "inceptiondsl-folder-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Class "blue": 5 solid blue 40x30 PNGs; class "red": 5 solid red 20x20 JPEGs.
            foreach (var (name, color, w, h, format) in new[] { ("blue", SKColors.Blue, 40, 30, SKEncodedImageFormat.Png), ("red", SKColors.Red, 20, 20, SKEncodedImageFormat.Jpeg) })
            {
                Directory.CreateDirectory(Path.Combine(root, name));
                for (int i = 0; i < 5; i++)
                {
                    using var bitmap = new SKBitmap(w, h);
                    bitmap.Erase(color);
                    using var data = bitmap.Encode(format, 95);
                    File.WriteAllBytes(Path.Combine(root, name, $"{i}.{(format == SKEncodedImageFormat.Png ? "png" : "jpg")}"), data.ToArray());
                }
            }
            using var splits = ImageFolder.LoadSplits(root, 16, 16, validationFraction: 0.2, seed: 1);
            Assert.Equal(new[] { "blue", "red" }, splits.Train.Classes);
            Assert.Equal((8L, 2L), (splits.Train.Count, splits.Validation.Count));
            Assert.Equal(new long[] { 8, 3, 16, 16 }, splits.Train.Images.shape);
            // A blue pixel (0, 0, 1) normalized with the ImageNet mean and std.
            var blue = splits.Train.Images[splits.Train.Labels.eq(0).nonzero()[0, 0]];
            Assert.Equal((0 - 0.485) / 0.229, blue[0, 8, 8].item<float>(), 2);
            Assert.Equal((1 - 0.406) / 0.225, blue[2, 8, 8].item<float>(), 2);
            var red = splits.Train.Images[splits.Train.Labels.eq(1).nonzero()[0, 0]];
            Assert.True(red[0, 8, 8].item<float>() > 2.0f && red[2, 8, 8].item<float>() < -1.5f);
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SpecFileModelIsCompiledAtRunTimeLikeTheZoo()
    {
        var spec = SpecModels.Read(Path.Combine(GeneratorHarness.SpecsDir, "mini_inception.inception.yaml"));
        Assert.Empty(spec.Errors);
        var ir = Assert.Single(spec.Models);
        using var model = SpecModels.Create(ir, numClasses: 10, inChannels: 3, aux: true);
        Assert.IsAssignableFrom<InceptionDsl.Contracts.IGeneratedModel>(model);
        Assert.Equal(MiniInception.ParameterCount, model.parameters().Sum(p => p.numel()));
        using var zoo = new MiniInception();
        Assert.Equal(zoo.state_dict().Keys, model.state_dict().Keys);
        model.eval();
        using var input = randn(1, 3, 32, 32);
        Assert.Equal(new long[] { 1, 10 }, model.forward(input).shape);
    }
}
