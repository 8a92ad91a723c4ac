using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using SkiaSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// The common ImageFolder layout: one subfolder per class, the class index being the subfolder's position in ordinal
/// name order. Images are decoded with SkiaSharp, resized to the model's input size, converted to RGB floats in 0..1
/// and normalized per channel (ImageNet mean and std by default).
/// </summary>
public static class ImageFolder
{
    public static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    public static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Train and validation splits of a folder. When it has <c>train/</c> and <c>val/</c> (or <c>validation/</c>)
    /// subfolders, those are the splits; otherwise validationFraction of each class (chosen by the seed) is held out.
    /// </summary>
    public static DatasetSplits LoadSplits(string root, int width, int height, double validationFraction = 0.2, int seed = 1234,
        float[]? mean = null, float[]? std = null)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"No folder '{root}'.");
        var trainDir = Path.Combine(root, "train");
        var valDir = new[] { "val", "validation" }.Select(d => Path.Combine(root, d)).FirstOrDefault(Directory.Exists);
        if (Directory.Exists(trainDir) && valDir is not null)
        {
            var classes = ClassFolders(trainDir);
            var train = Load(trainDir, classes, width, height, mean, std);
            var validation = Load(valDir, classes, width, height, mean, std);
            return new DatasetSplits(train, validation, $"image folder {root}: {classes.Count} classes, {train.Count} train / {validation.Count} validation, {width}x{height}");
        }
        var names = ClassFolders(root);
        var random = new Random(seed);
        var trainFiles = new List<(string, int)>();
        var valFiles = new List<(string, int)>();
        for (int c = 0; c < names.Count; c++)
        {
            var files = Files(Path.Combine(root, names[c])).OrderBy(_ => random.Next()).ToList();
            int held = files.Count < 2 ? 0 : Math.Max(1, (int)Math.Round(files.Count * validationFraction));
            valFiles.AddRange(files.Take(held).Select(f => (f, c)));
            trainFiles.AddRange(files.Skip(held).Select(f => (f, c)));
        }
        var t = FromFiles(trainFiles, names, width, height, mean, std);
        var v = FromFiles(valFiles, names, width, height, mean, std);
        return new DatasetSplits(t, v, $"image folder {root}: {names.Count} classes, {t.Count} train / {v.Count} validation (held out {validationFraction:P0}, seed {seed}), {width}x{height}");
    }

    /// <summary>Every image under root/&lt;class&gt;/, classes given by name (index = position).</summary>
    public static ImageDataset Load(string root, IReadOnlyList<string> classes, int width, int height, float[]? mean = null, float[]? std = null)
    {
        var files = new List<(string, int)>();
        for (int c = 0; c < classes.Count; c++)
        {
            var dir = Path.Combine(root, classes[c]);
            if (Directory.Exists(dir)) files.AddRange(Files(dir).Select(f => (f, c)));
        }
        return FromFiles(files, classes, width, height, mean, std);
    }

    /// <summary>The class subfolders of root, in ordinal order.</summary>
    public static IReadOnlyList<string> ClassFolders(string root)
    {
        var names = Directory.GetDirectories(root).Select(Path.GetFileName).Where(n => !string.IsNullOrEmpty(n) && !n!.StartsWith('.'))
            .Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count < 2) throw new InvalidDataException($"'{root}' needs at least two class subfolders (found {names.Count}).");
        return names;
    }

    private static IEnumerable<string> Files(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Where(f => Extensions.Contains(Path.GetExtension(f))).OrderBy(f => f, StringComparer.Ordinal);

    private static ImageDataset FromFiles(List<(string Path, int Label)> files, IReadOnlyList<string> classes, int width, int height, float[]? mean, float[]? std)
    {
        mean ??= ImageNetMean;
        std ??= ImageNetStd;
        var pixels = new float[(long)files.Count * 3 * width * height];
        var labels = new long[files.Count];
        for (int i = 0; i < files.Count; i++)
        {
            labels[i] = files[i].Label;
            ReadImage(files[i].Path, width, height, mean, std, pixels, (long)i * 3 * width * height);
        }
        return new ImageDataset(tensor(pixels, new long[] { files.Count, 3, height, width }), tensor(labels), classes);
    }

    /// <summary>Decodes, resizes (bilinear, mipmapped for downscaling) and writes normalized CHW RGB floats at offset.</summary>
    public static void ReadImage(string path, int width, int height, float[] mean, float[] std, float[] destination, long offset)
    {
        using var decoded = SKBitmap.Decode(path) ?? throw new InvalidDataException($"Cannot decode image '{path}'.");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = decoded.Resize(info, SKFilterQuality.Medium) ?? throw new InvalidDataException($"Cannot resize image '{path}'.");
        using var rgba = resized.ColorType == SKColorType.Rgba8888 ? null : resized.Copy(SKColorType.Rgba8888);
        var bytes = (rgba ?? resized).GetPixelSpan();
        int plane = width * height;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                destination[offset + (long)c * plane + p] = (bytes[p * 4 + c] / 255f - mean[c]) / std[c];
    }
}
