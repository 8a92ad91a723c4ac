using InceptionDsl.Training;
using SkiaSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>Resize, center crop and normalisation of images on disk and in tensors; unreadable files counted and skipped.</summary>
public sealed class PreprocessingTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "inceptiondsl-pre-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    /// <summary>A 16x8 PNG: left half (x &lt; 8) black, right half white, except a 4x4 grey square in the middle.</summary>
    private string WriteImage(string dir, string name)
    {
        Directory.CreateDirectory(dir);
        using var bitmap = new SKBitmap(16, 8);
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 16; x++)
                bitmap.SetPixel(x, y, x is >= 6 and < 10 && y is >= 2 and < 6 ? new SKColor(128, 128, 128) : x < 8 ? SKColors.Black : SKColors.White);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        var path = Path.Combine(dir, name);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    [Fact]
    public void ACropFractionResizesTheShorterSideAndCropsTheCenter()
    {
        var path = WriteImage(root, "a.png");
        // Size 4, crop 0.5: the shorter side (8) is resized to 4 / 0.5 = 8 (unchanged), the 16x8 image cropped to its middle 4x4: the grey square.
        var pre = new ImagePreprocessing(4, 4, new[] { 0.5f }, new[] { 0.25f }, CropFraction: 0.5);
        var pixels = new float[16];
        Assert.True(ImageFolder.TryReadImage(path, pre, pixels, 0));
        float grey = (128 / 255f - 0.5f) / 0.25f;
        Assert.All(pixels, p => Assert.Equal(grey, p, 2));

        // The same on a tensor in 0..1.
        using var image = full(new long[] { 1, 3, 8, 16 }, 128 / 255f);
        using var result = pre.Apply(image);
        Assert.Equal(new long[] { 1, 1, 4, 4 }, result.shape);
        Assert.True(result.allclose(full(new long[] { 1, 1, 4, 4 }, grey), atol: 1e-5));
    }

    [Fact]
    public void UnreadableImagesAreCountedAndSkipped()
    {
        foreach (var cls in new[] { "cat", "dog" })
            for (int i = 0; i < 3; i++)
                WriteImage(Path.Combine(root, cls), $"{i}.png");
        File.WriteAllText(Path.Combine(root, "dog", "broken.png"), "not an image");
        using var splits = ImageFolder.LoadSplits(root, ImagePreprocessing.ImageNet(8, 8), validationFraction: 0.34, seed: 2);
        Assert.Equal(1, splits.SkippedImages);
        Assert.Equal(6, splits.Train.Count + splits.Validation.Count);
        Assert.Contains("1 image skipped (first: dog/broken.png: not an image SkiaSharp decodes)", splits.Description);
    }

    [Fact]
    public void AClassWithoutImagesIsAOneLineError()
    {
        WriteImage(Path.Combine(root, "cat"), "0.png");
        Directory.CreateDirectory(Path.Combine(root, "dog"));
        var error = Assert.Throws<InvalidDataException>(() => ImageFolder.LoadSplits(root, ImagePreprocessing.ImageNet(8, 8)));
        Assert.StartsWith(Path.Combine(root, "dog") + ": the class folder holds no images", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
