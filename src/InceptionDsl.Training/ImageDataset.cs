using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// Images held in memory as one normalized float tensor [N, C, H, W] with class indices [N] (int64).
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public ImageDataset(Tensor images, Tensor labels, IReadOnlyList<string> classes)
    {
        if (images.dim() != 4) throw new ArgumentException("images must be [N, C, H, W]", nameof(images));
        if (labels.shape[0] != images.shape[0]) throw new ArgumentException("one label per image", nameof(labels));
        Images = images;
        Labels = labels;
        Classes = classes;
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<string> Classes { get; }
    public long Count => Images.shape[0];
    public long Channels => Images.shape[1];
    public long Height => Images.shape[2];
    public long Width => Images.shape[3];

    /// <summary>Number of batches of the given size (the last may be smaller).</summary>
    public int BatchCount(int batchSize) => (int)((Count + batchSize - 1) / batchSize);

    /// <summary>
    /// The batches of one epoch, shuffled with the generator when given. The tensors belong to the caller's dispose
    /// scope.
    /// </summary>
    public IEnumerable<(Tensor Images, Tensor Labels)> Batches(int batchSize, Generator? shuffle = null)
    {
        using var order = shuffle is null ? arange(Count, dtype: int64) : randperm(Count, generator: shuffle, dtype: int64);
        for (long start = 0; start < Count; start += batchSize)
        {
            long end = Math.Min(Count, start + batchSize);
            using var index = order.slice(0, start, end, 1);
            yield return (Images.index_select(0, index), Labels.index_select(0, index));
        }
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}

/// <summary>A training set and its validation set.</summary>
public sealed record DatasetSplits(ImageDataset Train, ImageDataset Validation, string Description) : IDisposable
{
    /// <summary>Files that looked like images but did not decode, left out of both splits.</summary>
    public int SkippedImages { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
    }
}
