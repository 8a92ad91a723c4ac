using System;
using System.Linq;
using InceptionDsl.Contracts;
using InceptionDsl.Reference;
using TorchSharp;

namespace InceptionDsl.Training;

/// <summary>
/// Loading a model's published weights from its generated catalogue (<c>ResNet50.Weights.ImageNet1K_V1</c>): the
/// local file's SHA-256 is checked against the entry (in full, or as the prefix torch.hub file names carry) before
/// anything is read, and the entry's preprocessing becomes an <see cref="ImagePreprocessing"/> for images on disk.
/// Entries are taken as <see cref="IPretrainedWeights"/>, which the generated <c>PretrainedWeights</c> of every namespace
/// implements (the contracts), so a project's own models load through their own catalogue. Nothing is downloaded.
/// </summary>
public static class PretrainedWeightsLoader
{
    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="model"/> after checking its SHA-256 against <paramref name="weights"/>
    /// (a different file throws <see cref="CheckpointHashException"/>, one line, and nothing is read). <paramref name="options"/>
    /// default to a strict load; pass <see cref="CheckpointLoadOptions.FineTune"/> to adapt the head and the input channels.
    /// </summary>
    public static CheckpointLoadResult Load(this torch.nn.Module model, IPretrainedWeights weights, string path, CheckpointLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return CheckpointLoader.Load(model, path, (options ?? CheckpointLoadOptions.Strict) with { Sha256 = weights.Sha256 });
    }

    /// <summary>
    /// The eval preprocessing of <paramref name="weights"/> for images on disk (<see cref="ImageFolder"/>): its size, crop
    /// fraction, interpolation, mean and std; with <paramref name="channels"/> 1, the averages of the mean and std (timm's
    /// rule for in_chans = 1).
    /// </summary>
    public static ImagePreprocessing ImagePreprocessing(this IPretrainedWeights weights, int? channels = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        var mean = weights.Mean.Select(v => (float)v).ToArray();
        var std = weights.Std.Select(v => (float)v).ToArray();
        if (channels == 1 && mean.Length == 3)
        {
            mean = new[] { mean.Average() };
            std = new[] { std.Average() };
        }
        else if (channels is { } c && c != mean.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(channels), c, $"{weights} normalises {mean.Length} channel(s); images give 1 (gray) or 3 (RGB)");
        }

        return new ImagePreprocessing(checked((int)weights.Width), checked((int)weights.Height), mean, std, weights.CropFraction) { Interpolation = weights.Interpolation };
    }

}
