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
        float[]? mean = null, float[]? std = null) =>
        LoadSplits(root, new ImagePreprocessing(width, height, mean ?? ImageNetMean, std ?? ImageNetStd), validationFraction, seed);

    /// <summary>
    /// Train and validation splits of a folder, each image preprocessed as <paramref name="preprocessing"/> says.
    /// Files that do not decode are skipped and counted (<see cref="DatasetSplits.SkippedImages"/>); a folder without
    /// two class subfolders, or a class without images, is an <see cref="InvalidDataException"/> of one line.
    /// </summary>
    public static DatasetSplits LoadSplits(string root, ImagePreprocessing preprocessing, double validationFraction = 0.2, int seed = 1234)
    {
        ArgumentNullException.ThrowIfNull(preprocessing);
        preprocessing.Validate();
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"No folder '{root}'.");
        var size = $"{preprocessing.Width}x{preprocessing.Height}x{preprocessing.Channels}";
        var trainDir = Path.Combine(root, "train");
        var valDir = new[] { "val", "validation" }.Select(d => Path.Combine(root, d)).FirstOrDefault(Directory.Exists);
        if (Directory.Exists(trainDir) && valDir is not null)
        {
            var classes = ClassFolders(trainDir);
            var skips = new SkippedImages();
            var train = Load(trainDir, classes, preprocessing, skips, out int seenTrain);
            var validation = Load(valDir, classes, preprocessing, skips, out int seenValidation);
            RequireImages(root, train, validation, seenTrain + seenValidation, skips, "each class needs at least 1 readable image in train/ and 1 in val/");
            return new DatasetSplits(train, validation, $"image folder {root}: {classes.Count} classes, {train.Count} train / {validation.Count} validation, {size}"
                + skips.Summary()) { SkippedImages = skips.Count };
        }
        var names = ClassFolders(root);
        var random = new Random(seed);
        var trainFiles = new List<(string, int)>();
        var valFiles = new List<(string, int)>();
        var skipped = new SkippedImages();
        for (int c = 0; c < names.Count; c++)
        {
            var files = Files(Path.Combine(root, names[c]), skipped).OrderBy(_ => random.Next()).ToList();
            if (files.Count == 0)
                throw new InvalidDataException($"{Path.Combine(root, names[c])}: the class folder holds no images ({string.Join(", ", Extensions.Order(StringComparer.Ordinal))}).");
            int held = files.Count < 2 ? 0 : Math.Max(1, (int)Math.Round(files.Count * validationFraction));
            valFiles.AddRange(files.Take(held).Select(f => (f, c)));
            trainFiles.AddRange(files.Skip(held).Select(f => (f, c)));
        }
        var t = FromFiles(trainFiles, names, preprocessing, skipped);
        var v = FromFiles(valFiles, names, preprocessing, skipped);
        RequireImages(root, t, v, trainFiles.Count + valFiles.Count, skipped,
            $"each class needs at least 2 readable images (one is held out for validation: {validationFraction:P0} of each class, at least 1)");
        return new DatasetSplits(t, v, $"image folder {root}: {names.Count} classes, {t.Count} train / {v.Count} validation (held out {validationFraction:P0}, seed {seed}), {size}"
            + skipped.Summary()) { SkippedImages = skipped.Count };
    }

    /// <summary>The most pixels an image's header may claim (8K x 5K): a larger one is skipped before its pixels are allocated.</summary>
    public const long MaxImagePixels = 40_000_000;

    /// <summary>
    /// A split without images is one line naming the folder, the image files seen and skipped (the first few by name),
    /// and what each class needs; it is thrown before any model is built.
    /// </summary>
    private static void RequireImages(string root, ImageDataset train, ImageDataset validation, int seen, SkippedImages skipped, string need)
    {
        if (train.Count > 0 && validation.Count > 0)
            return;
        var missing = train.Count == 0 && validation.Count == 0 ? "no training and no validation images" : train.Count == 0 ? "no training images" : "no validation images";
        train.Dispose();
        validation.Dispose();
        throw new InvalidDataException($"{root}: {missing}: {seen} image file(s) seen, {skipped.Count} skipped{skipped.Examples()}; {need}.");
    }

    /// <summary>Images left out of a dataset, counted, with the first few named and why.</summary>
    public sealed class SkippedImages
    {
        /// <summary>How many skipped images are named in a summary.</summary>
        public const int Named = 3;

        private readonly List<string> _first = new();

        public int Count { get; private set; }

        public void Add(string path, string reason)
        {
            Count++;
            if (_first.Count < Named)
                _first.Add($"{Path.GetFileName(Path.GetDirectoryName(path))}/{Path.GetFileName(path)}: {reason}");
        }

        /// <summary><c> (first: a.png: reason; ...)</c>, or empty.</summary>
        public string Examples() => Count == 0 ? "" : $" (first: {string.Join("; ", _first)}{(Count > _first.Count ? "; ..." : "")})";

        /// <summary>The description's suffix: <c>, 2 images skipped (first: ...)</c>, or empty.</summary>
        public string Summary() => Count == 0 ? "" : $", {Count} image{(Count == 1 ? "" : "s")} skipped{Examples()}";
    }

    /// <summary>Every image under root/&lt;class&gt;/, classes given by name (index = position).</summary>
    public static ImageDataset Load(string root, IReadOnlyList<string> classes, int width, int height, float[]? mean = null, float[]? std = null) =>
        Load(root, classes, new ImagePreprocessing(width, height, mean ?? ImageNetMean, std ?? ImageNetStd), new SkippedImages(), out _);

    /// <summary>Every readable image under root/&lt;class&gt;/, classes given by name (index = position); <paramref name="skipped"/> counts the rest.</summary>
    public static ImageDataset Load(string root, IReadOnlyList<string> classes, ImagePreprocessing preprocessing, out int skipped)
    {
        var skips = new SkippedImages();
        var dataset = Load(root, classes, preprocessing, skips, out _);
        skipped = skips.Count;
        return dataset;
    }

    private static ImageDataset Load(string root, IReadOnlyList<string> classes, ImagePreprocessing preprocessing, SkippedImages skipped, out int seen)
    {
        var files = new List<(string, int)>();
        for (int c = 0; c < classes.Count; c++)
        {
            var dir = Path.Combine(root, classes[c]);
            if (Directory.Exists(dir)) files.AddRange(Files(dir, skipped).Select(f => (f, c)));
        }

        seen = files.Count;
        return FromFiles(files, classes, preprocessing, skipped);
    }

    /// <summary>The class subfolders of root, in ordinal order.</summary>
    public static IReadOnlyList<string> ClassFolders(string root)
    {
        var names = Directory.GetDirectories(root).Select(Path.GetFileName).Where(n => !string.IsNullOrEmpty(n) && !n!.StartsWith('.'))
            .Select(n => n!).OrderBy(n => n, StringComparer.Ordinal).ToList();
        if (names.Count < 2) throw new InvalidDataException($"'{root}' needs at least two class subfolders (found {names.Count}).");
        return names;
    }

    /// <summary>
    /// The image files under a class folder, by the one walk of the file policy (SafeFiles): link loops end, the walk is
    /// bounded, and a pipe or device named like an image is skipped (never opened).
    /// </summary>
    private static IEnumerable<string> Files(string dir, SkippedImages skipped)
    {
        var refused = new List<string>();
        var files = InceptionDsl.Reference.SafeFiles.FindFiles(dir, f => Extensions.Contains(Path.GetExtension(f)), refused);
        foreach (var entry in refused)
        {
            var parts = entry.Split(": ", 2);
            skipped.Add(parts[0], parts.Length > 1 ? parts[1] : "not a regular file");
        }

        return files;
    }

    private static ImageDataset FromFiles(List<(string Path, int Label)> files, IReadOnlyList<string> classes, ImagePreprocessing preprocessing, SkippedImages skipped)
    {
        int plane = preprocessing.Width * preprocessing.Height * preprocessing.Channels;
        var pixels = new float[(long)files.Count * plane];
        var labels = new List<long>(files.Count);
        foreach (var (path, label) in files)
        {
            if (ImageProblem(path, preprocessing, pixels, (long)labels.Count * plane) is { } problem)
            {
                skipped.Add(path, problem);
                continue;
            }

            labels.Add(label);
        }

        var images = tensor(pixels, new long[] { files.Count, preprocessing.Channels, preprocessing.Height, preprocessing.Width });
        if (labels.Count < files.Count)
        {
            var kept = images.slice(0, 0, labels.Count, 1).clone();
            images.Dispose();
            images = kept;
        }

        return new ImageDataset(images, tensor(labels.ToArray()), classes);
    }

    /// <summary>Decodes, resizes (bilinear, mipmapped for downscaling) and writes normalized CHW RGB floats at offset.</summary>
    public static void ReadImage(string path, int width, int height, float[] mean, float[] std, float[] destination, long offset)
    {
        if (!TryReadImage(path, new ImagePreprocessing(width, height, mean, std), destination, offset))
            throw new InvalidDataException($"Cannot decode image '{path}'.");
    }

    /// <summary>
    /// Decodes one file and writes its preprocessed CHW floats at <paramref name="offset"/>: resize (bilinear, mipmapped
    /// for downscaling; bicubic or nearest when the preprocessing says so), center crop, luma for one channel, normalise.
    /// False when the file does not decode.
    /// </summary>
    public static bool TryReadImage(string path, ImagePreprocessing preprocessing, float[] destination, long offset) =>
        ImageProblem(path, preprocessing, destination, offset) is null;

    /// <summary>
    /// As <see cref="TryReadImage"/>, saying why an image is skipped: not a regular file, empty, a header claiming more than
    /// <see cref="MaxImagePixels"/> (checked before any pixel is allocated), or bytes that do not decode. Null when read.
    /// </summary>
    public static string? ImageProblem(string path, ImagePreprocessing preprocessing, float[] destination, long offset)
    {
        if (InceptionDsl.Reference.SafeFiles.InputProblem(path) is { } notRegular)
            return notRegular;
        try
        {
            if (new FileInfo(path).Length == 0)
                return "the file is empty";
            using var stream = InceptionDsl.Reference.SafeFiles.OpenRead(path);
            using var codec = SKCodec.Create(stream);
            if (codec is null)
                return "not an image SkiaSharp decodes";
            long pixels = (long)codec.Info.Width * codec.Info.Height;
            if (pixels > MaxImagePixels)
                return $"its header says {codec.Info.Width}x{codec.Info.Height} pixels, more than the {MaxImagePixels:N0} an image may have";
            using var decoded = SKBitmap.Decode(codec);
            return decoded is null || decoded.Width < 1 || decoded.Height < 1 ? "the image does not decode"
                : Preprocess(decoded, preprocessing, destination, offset) ? null : "the image cannot be resized";
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException or OutOfMemoryException)
        {
            return "the image does not decode (" + error.Message.Split('\n')[0] + ")";
        }
    }

    private static bool Preprocess(SKBitmap decoded, ImagePreprocessing preprocessing, float[] destination, long offset)
    {
        var (rw, rh) = preprocessing.ResizeTarget(decoded.Width, decoded.Height);
        var info = new SKImageInfo(rw, rh, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var resized = decoded.Resize(info, preprocessing.Interpolation switch
        {
            "bicubic" => new SKSamplingOptions(SKCubicResampler.CatmullRom),
            "nearest" => new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None),
            _ => new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear),
        });
        if (resized is null)
            return false;
        using var rgba = resized.ColorType == SKColorType.Rgba8888 ? null : resized.Copy(SKColorType.Rgba8888);
        var bytes = (rgba ?? resized).GetPixelSpan();
        int width = preprocessing.Width, height = preprocessing.Height, left = (rw - width) / 2, top = (rh - height) / 2;
        int plane = width * height;
        var mean = preprocessing.Mean;
        var std = preprocessing.Std;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int source = ((y + top) * rw + x + left) * 4, p = y * width + x;
                if (preprocessing.Channels == 1)
                {
                    float luma = 0;
                    for (int c = 0; c < 3; c++)
                        luma += ImagePreprocessing.LumaWeights[c] * (bytes[source + c] / 255f);
                    destination[offset + p] = (luma - mean[0]) / std[0];
                }
                else
                    for (int c = 0; c < 3; c++)
                        destination[offset + (long)c * plane + p] = (bytes[source + c] / 255f - mean[c]) / std[c];
            }

        return true;
    }
}
