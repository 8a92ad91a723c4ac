using System;
using System.Globalization;
using System.IO;
using InceptionDsl.Reference;
using SkiaSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training.PyTorch;

/// <summary>
/// The generated shapes dataset (<see cref="SyntheticShapes"/>) written out as an ImageFolder (<c>train/CLASS/*.png</c>
/// and <c>val/CLASS/*.png</c>, 8-bit RGB), so a trainer that reads image folders (the torchrun entry point) trains on
/// the same images as <c>inceptiondsl train</c>. Normalise them with <see cref="SyntheticShapes.Mean"/> and
/// <see cref="SyntheticShapes.Std"/>.
/// </summary>
public static class ShapesImageFolder
{
    /// <summary>The file in the folder that names what it holds: a folder with the same text is reused as it is.</summary>
    public const string MarkerFile = "dataset.txt";

    /// <summary>
    /// Writes the dataset into <paramref name="root"/> (built beside it, then moved into place) unless it already holds
    /// this dataset; returns its description.
    /// </summary>
    public static string Write(string root, int trainCount, int validationCount, int size, int classes, int seed, int firstClass = 0)
    {
        var description = $"generated shapes: {classes} classes{(firstClass == 0 ? "" : $" from {SyntheticShapes.ClassNames[firstClass]}")}, "
            + $"{size}x{size}, {trainCount} train / {validationCount} validation, seed {seed}";
        var marker = Path.Combine(root, MarkerFile);
        if (File.Exists(marker) && File.ReadAllText(marker) == description)
            return description;
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).GetEnumerator().MoveNext())
            throw new IOException($"{root}: the folder holds something other than this generated dataset; remove it or choose another output folder");

        var building = root.TrimEnd('/', Path.DirectorySeparatorChar) + ".building";
        if (Directory.Exists(building))
            Directory.Delete(building, recursive: true);
        using (var splits = SyntheticShapes.Create(trainCount, validationCount, size, classes, seed, firstClass: firstClass))
        {
            WriteSplit(Path.Combine(building, "train"), splits.Train);
            WriteSplit(Path.Combine(building, "val"), splits.Validation);
        }
        File.WriteAllText(Path.Combine(building, MarkerFile), description);
        if (Directory.Exists(root))
            Directory.Delete(root);
        Directory.Move(building, root);
        return description;
    }

    private static void WriteSplit(string folder, ImageDataset data)
    {
        foreach (var name in data.Classes)
            Directory.CreateDirectory(Path.Combine(folder, name));
        using var scope = NewDisposeScope();
        // Back from the normalised floats to 0..255 bytes, HWC order as images store them.
        var bytes = (data.Images * SyntheticShapes.Std + SyntheticShapes.Mean).mul(255).round().clamp(0, 255)
            .to_type(ScalarType.Byte).permute(0, 2, 3, 1).contiguous().data<byte>().ToArray();
        var labels = data.Labels.data<long>().ToArray();
        int height = (int)data.Height, width = (int)data.Width, pixels = height * width;
        for (int i = 0; i < labels.Length; i++)
        {
            using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
            var rgba = new byte[pixels * 4];
            for (int p = 0; p < pixels; p++)
            {
                long source = ((long)i * pixels + p) * 3;
                rgba[p * 4] = bytes[source];
                rgba[p * 4 + 1] = bytes[source + 1];
                rgba[p * 4 + 2] = bytes[source + 2];
                rgba[p * 4 + 3] = 255;
            }
            System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
            using var image = SKImage.FromBitmap(bitmap);
            using var png = image.Encode(SKEncodedImageFormat.Png, 100);
            var path = Path.Combine(folder, data.Classes[(int)labels[i]], i.ToString("D6", CultureInfo.InvariantCulture) + ".png");
            using var file = File.Create(path);
            png.SaveTo(file);
        }
    }
}
