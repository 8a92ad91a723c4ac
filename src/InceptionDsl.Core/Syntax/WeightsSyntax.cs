namespace InceptionDsl.Syntax;

/// <summary>
/// What a spec says about one set of published weights of a model (a <c>weights:</c> entry): where the
/// file comes from and how to check it, the preprocessing it was trained with, and the accuracy its
/// source reports. No positions, so a model's IR stays equal when only lines move.
/// </summary>
/// <param name="Name">The entry's C# name, e.g. <c>ImageNet1K_V1</c>.</param>
/// <param name="FileName">The published file's name, e.g. <c>resnet50-0676ba61.pth</c>.</param>
/// <param name="Sha256">The file's SHA-256 as lower-case hex: all 64 digits, or the prefix (8 or more) torch.hub puts in file names.</param>
/// <param name="Source">Where the file is published (a URL).</param>
/// <param name="License">The weights' license.</param>
/// <param name="Mean">Per-channel mean of the normalisation, one per input channel.</param>
/// <param name="Std">Per-channel standard deviation, one per input channel, each positive.</param>
/// <param name="Height">Input height the weights were evaluated at.</param>
/// <param name="Width">Input width.</param>
/// <param name="CropFraction">The center crop's share of the resized image, in (0, 1]; null: resize to the size, no crop.</param>
/// <param name="Interpolation">Resize interpolation: bilinear, bicubic or nearest.</param>
/// <param name="Top1">ImageNet top-1 in percent as the source reports it, or null.</param>
/// <param name="Top5">Top-5 in percent, or null.</param>
/// <param name="Citation">Where the accuracy figures come from (required with them).</param>
public sealed record WeightsFacts(
    string Name,
    string FileName,
    string Sha256,
    string Source,
    string License,
    EquatableArray<double> Mean,
    EquatableArray<double> Std,
    long Height,
    long Width,
    double? CropFraction,
    string Interpolation,
    double? Top1,
    double? Top5,
    string? Citation);

/// <summary>A <c>weights:</c> entry and where the spec declares it.</summary>
public sealed record WeightsDecl(WeightsFacts Facts, Text.SourceSpan Span);
