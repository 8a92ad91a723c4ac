using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// A generated image dataset that ships as code: ten classes of shapes and textures (circle, square, triangle, cross,
/// ring, horizontal / vertical / diagonal stripes, checkerboard, dots) drawn at random position, size, colours and
/// noise from a fixed seed. Nothing to download; the same seed gives the same images on every machine.
/// </summary>
public static class SyntheticShapes
{
    public static IReadOnlyList<string> ClassNames { get; } = new[]
    {
        "circle", "square", "triangle", "cross", "ring",
        "horizontal-stripes", "vertical-stripes", "diagonal-stripes", "checkerboard", "dots",
    };

    /// <summary>Per-channel mean and standard deviation used to normalize the generated images.</summary>
    public const float Mean = 0.5f, Std = 0.25f;

    /// <summary>
    /// Train and validation splits (disjoint random streams of one seed), size x size RGB, normalized. Difficulty:
    /// maxNoise (per-pixel Gaussian sigma, drawn per image up to this), minContrast (brightness gap of figure and
    /// background) and shading (amplitude of the background's linear gradient).
    /// </summary>
    /// <param name="firstClass">The first shape of the task: classes firstClass .. firstClass + classes - 1 (labels 0 .. classes - 1), so two tasks can have different classes.</param>
    public static DatasetSplits Create(int trainCount = 5000, int validationCount = 1000, int size = 32, int classes = 10, int seed = 1234,
        float maxNoise = 0.25f, float minContrast = 0.2f, float shading = 0.3f, int firstClass = 0)
    {
        if (firstClass < 0 || classes < 2 || firstClass + classes > ClassNames.Count)
            throw new ArgumentOutOfRangeException(nameof(classes), $"2..{ClassNames.Count} classes from shape {firstClass}: at most {ClassNames.Count} shapes in all");
        if (size < 8) throw new ArgumentOutOfRangeException(nameof(size), "at least 8 pixels");
        var train = Generate(trainCount, size, classes, seed, maxNoise, minContrast, shading, firstClass);
        var validation = Generate(validationCount, size, classes, seed + 7919, maxNoise, minContrast, shading, firstClass);
        return new DatasetSplits(train, validation,
            $"generated shapes: {classes} classes{(firstClass == 0 ? "" : $" from {ClassNames[firstClass]}")}, {size}x{size}, {trainCount} train / {validationCount} validation, seed {seed}");
    }

    /// <summary>
    /// The splits as one-channel images: the luma (ITU-R 601) of the RGB pixels, normalised with the same
    /// <see cref="Mean"/> and <see cref="Std"/>. Disposes nothing; the result holds new tensors.
    /// </summary>
    public static DatasetSplits ToGray(DatasetSplits splits)
    {
        ArgumentNullException.ThrowIfNull(splits);
        ImageDataset Gray(ImageDataset d)
        {
            using var scope = NewDisposeScope();
            var rgb = d.Images * Std + Mean;
            var luma = (rgb * tensor(ImagePreprocessing.LumaWeights).view(1, 3, 1, 1)).sum(1, keepdim: true);
            return new ImageDataset(((luma - Mean) / Std).MoveToOuterDisposeScope(), d.Labels.clone().MoveToOuterDisposeScope(), d.Classes);
        }

        return new DatasetSplits(Gray(splits.Train), Gray(splits.Validation), splits.Description + ", gray");
    }

    /// <summary>count images, classes balanced in turn (image i has class i mod classes, shuffled by the seed), of shapes firstClass onwards.</summary>
    public static ImageDataset Generate(int count, int size, int classes, int seed, float maxNoise = 0.25f, float minContrast = 0.2f, float shading = 0.3f,
        int firstClass = 0)
    {
        var random = new Random(seed);
        var pixels = new float[(long)count * 3 * size * size];
        var labels = new long[count];
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i % classes;
        for (int i = count - 1; i > 0; i--) { int j = random.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        var mask = new float[size * size];
        for (int i = 0; i < count; i++)
        {
            int label = order[i];
            labels[i] = label;
            Draw(firstClass + label, size, random, mask);
            // Foreground and background colours differ by at least minContrast in brightness; the background has a linear
            // shading gradient and every pixel Gaussian noise, so the classes are not separable by colour alone.
            var background = RandomColor(random);
            float[] foreground;
            do foreground = RandomColor(random);
            while (Math.Abs(Brightness(foreground) - Brightness(background)) < minContrast);
            float noise = maxNoise * (0.2f + 0.8f * (float)random.NextDouble());
            float gx = shading * ((float)random.NextDouble() - 0.5f), gy = shading * ((float)random.NextDouble() - 0.5f);
            long offset = (long)i * 3 * size * size;
            for (int c = 0; c < 3; c++)
                for (int p = 0; p < size * size; p++)
                {
                    float shade = gx * ((p % size) / (float)size - 0.5f) + gy * ((p / size) / (float)size - 0.5f);
                    float value = background[c] + shade + (foreground[c] - background[c]) * mask[p] + noise * Gaussian(random);
                    pixels[offset + c * size * size + p] = (Math.Clamp(value, 0f, 1f) - Mean) / Std;
                }
        }
        return new ImageDataset(tensor(pixels, new long[] { count, 3, size, size }), tensor(labels), Sub(firstClass, classes));
    }

    private static IReadOnlyList<string> Sub(int firstClass, int classes)
    {
        var names = new string[classes];
        for (int i = 0; i < classes; i++) names[i] = ClassNames[firstClass + i];
        return names;
    }

    private static float[] RandomColor(Random random) =>
        new[] { (float)random.NextDouble(), (float)random.NextDouble(), (float)random.NextDouble() };

    private static float Brightness(float[] c) => 0.299f * c[0] + 0.587f * c[1] + 0.114f * c[2];

    private static float Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return (float)(Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
    }

    /// <summary>Fills mask (size x size, 0..1, anti-aliased by 2x2 supersampling) with the class's figure.</summary>
    private static void Draw(int label, int size, Random random, float[] mask)
    {
        double R() => random.NextDouble();
        // Shapes: centre and radius (fraction of the image); textures: period, phase, angle jitter.
        double radius = size * (0.18 + 0.17 * R());
        double cx = radius + (size - 2 * radius) * R(), cy = radius + (size - 2 * radius) * R();
        double period = size * (0.12 + 0.13 * R());
        double phase = R() * period;
        double angle = (R() - 0.5) * 0.3; // small rotation of stripes / shapes
        double thickness = radius * (0.25 + 0.15 * R());
        double dotSpacing = size * (0.18 + 0.1 * R()), dotRadius = dotSpacing * (0.2 + 0.1 * R());
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float sum = 0;
                for (int sy = 0; sy < 2; sy++)
                    for (int sx = 0; sx < 2; sx++)
                    {
                        double px = x + 0.25 + 0.5 * sx, py = y + 0.25 + 0.5 * sy;
                        // coordinates relative to the centre, rotated
                        double dx = px - cx, dy = py - cy;
                        double u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
                        double ru = cos * px + sin * py, rv = -sin * px + cos * py;
                        bool inside = label switch
                        {
                            0 => u * u + v * v <= radius * radius,
                            1 => Math.Abs(u) <= radius * 0.85 && Math.Abs(v) <= radius * 0.85,
                            2 => v <= radius * 0.7 && v >= -radius && Math.Abs(u) <= (v + radius) * 0.6,
                            3 => (Math.Abs(u) <= thickness * 0.6 && Math.Abs(v) <= radius) || (Math.Abs(v) <= thickness * 0.6 && Math.Abs(u) <= radius),
                            4 => u * u + v * v <= radius * radius && u * u + v * v >= (radius - thickness) * (radius - thickness),
                            5 => Mod(rv + phase, period) < period / 2,
                            6 => Mod(ru + phase, period) < period / 2,
                            7 => Mod((px + py) / Math.Sqrt(2) + phase, period) < period / 2,
                            8 => (Mod(ru + phase, 2 * period) < period) ^ (Mod(rv + phase, 2 * period) < period),
                            _ => Dot(ru + phase, rv + phase, dotSpacing, dotRadius),
                        };
                        if (inside) sum += 0.25f;
                    }
                mask[y * size + x] = sum;
            }
    }

    private static double Mod(double a, double m) => ((a % m) + m) % m;

    private static bool Dot(double x, double y, double spacing, double radius)
    {
        double dx = Mod(x, spacing) - spacing / 2, dy = Mod(y, spacing) - spacing / 2;
        return dx * dx + dy * dy <= radius * radius;
    }
}
