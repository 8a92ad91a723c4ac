namespace InceptionDsl.Contracts;

/// <summary>
/// The generated conv unit (<c>BasicConv2d</c>: Conv2d, BatchNorm2d, optional ReLU) of any namespace. Fine-tuning counts
/// it as a plain layer, as a Conv2d or a BatchNorm2d: the stem is the plain layers before the first block.
/// </summary>
public interface IConvUnit
{
    /// <summary>Whether the BatchNorm was folded into the convolution (inference only).</summary>
    bool IsFused { get; }
}
