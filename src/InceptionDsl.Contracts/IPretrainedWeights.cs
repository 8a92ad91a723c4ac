using System.Collections.Generic;

namespace InceptionDsl.Contracts;

/// <summary>
/// One entry of a generated model's weights catalogue (<c>Model.Weights.Name</c>), seen through a type that does not
/// depend on the namespace it was generated into: the generated <c>PretrainedWeights</c> record of every namespace
/// implements it when the compilation references this assembly, so a loader such as InceptionDsl.Training's
/// <c>PretrainedWeightsLoader</c> takes any project's entries. Holds what loading (the file and its SHA-256) and
/// preprocessing (size, crop, interpolation, mean, std) need, and the facts a tool reports.
/// </summary>
public interface IPretrainedWeights
{
    /// <summary>The model's class name.</summary>
    string Model { get; }

    /// <summary>The entry's name in the catalogue (ImageNet1K_V1).</summary>
    string Name { get; }

    /// <summary>The published file's name.</summary>
    string FileName { get; }

    /// <summary>The file's SHA-256 in hex: all 64 digits, or the prefix of 8 or more that torch.hub file names carry.</summary>
    string Sha256 { get; }

    /// <summary>Where the file is published.</summary>
    string Source { get; }

    /// <summary>The license the weights are published under.</summary>
    string License { get; }

    /// <summary>The per-channel mean the images are normalised with.</summary>
    IReadOnlyList<double> Mean { get; }

    /// <summary>The per-channel standard deviation the images are normalised with.</summary>
    IReadOnlyList<double> Std { get; }

    /// <summary>The input height.</summary>
    long Height { get; }

    /// <summary>The input width.</summary>
    long Width { get; }

    /// <summary>The center-crop fraction (the shorter side is resized to size / fraction first), or null: resize to the size.</summary>
    double? CropFraction { get; }

    /// <summary>The resize interpolation: bilinear, bicubic or nearest.</summary>
    string Interpolation { get; }

    /// <summary>The ImageNet top-1 accuracy in percent the source reports, if any.</summary>
    double? Top1 { get; }

    /// <summary>The ImageNet top-5 accuracy in percent the source reports, if any.</summary>
    double? Top5 { get; }

    /// <summary>Where the accuracy figures come from.</summary>
    string? Citation { get; }

    /// <summary>Whether <see cref="Sha256"/> is a prefix of the hash (fewer than 64 digits) rather than all of it.</summary>
    bool IsSha256Prefix { get; }

    /// <summary>Whether a file's full SHA-256 (hex, any case) is the one these weights name: equal, or starting with the prefix.</summary>
    bool MatchesSha256(string fileSha256);
}
