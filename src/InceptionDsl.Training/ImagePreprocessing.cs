using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// How images become a model's input, as torchvision's and timm's eval transforms: resize (the shorter side to
/// size / crop fraction, or the whole image to the size when there is no crop fraction), center crop to the size,
/// scale to 0..1, normalise per channel. One channel is the luma of RGB (ITU-R 601, as torchvision's Grayscale).
/// </summary>
/// <param name="Width">The input width.</param>
/// <param name="Height">The input height.</param>
/// <param name="Mean">Per-channel mean (one value per channel).</param>
/// <param name="Std">Per-channel standard deviation (one value per channel).</param>
/// <param name="CropFraction">The center crop's share of the resized image (e.g. 0.875: resize to 256, crop 224); null: resize to the size, no crop.</param>
public sealed record ImagePreprocessing(int Width, int Height, float[] Mean, float[] Std, double? CropFraction = null)
{
    /// <summary>The luma weights of one-channel input (torchvision's Grayscale).</summary>
    public static readonly float[] LumaWeights = { 0.299f, 0.587f, 0.114f };

    /// <summary>ImageNet's RGB mean and std at the given size; with one channel, their averages (timm's rule for in_chans = 1).</summary>
    public static ImagePreprocessing ImageNet(int width, int height, int channels = 3, double? cropFraction = null) => channels switch
    {
        3 => new ImagePreprocessing(width, height, ImageFolder.ImageNetMean, ImageFolder.ImageNetStd, cropFraction),
        1 => new ImagePreprocessing(width, height, new[] { ImageFolder.ImageNetMean.Average() }, new[] { ImageFolder.ImageNetStd.Average() }, cropFraction),
        _ => throw new ArgumentOutOfRangeException(nameof(channels), channels, "images give 1 (gray) or 3 (RGB) channels"),
    };

    /// <summary>How images are resized: bilinear (the default), bicubic or nearest, as published weights name it.</summary>
    public string Interpolation { get; init; } = "bilinear";

    /// <summary>Channels of the result: 1 (luma) or 3 (RGB).</summary>
    public int Channels => Mean.Length;

    /// <summary>The side the shorter image side is resized to before the crop (the size itself without a crop fraction).</summary>
    public (int Width, int Height) ResizeTarget(int imageWidth, int imageHeight)
    {
        if (CropFraction is not { } crop)
            return (Width, Height);
        // torchvision: Resize(int(size / crop)) scales the shorter side to that length, keeping the aspect ratio.
        // The 1e-6 keeps a fraction written as a decimal (224 / 232 = 0.9655172413793104) on 232, as PretrainedPreprocessing.
        int shorter = (int)Math.Floor(Math.Max(Width, Height) / crop + 1e-6);
        // The longer side in proportion, truncated as torchvision's int(size * long / short).
        return imageWidth <= imageHeight
            ? (shorter, Math.Max(1, (int)((double)imageHeight * shorter / imageWidth)))
            : (Math.Max(1, (int)((double)imageWidth * shorter / imageHeight)), shorter);
    }

    /// <summary>Checks the fields: positive sizes, 1 or 3 channels, positive std, a crop fraction in [0.05, 1].</summary>
    public void Validate()
    {
        if (Width < 1 || Height < 1) throw new ArgumentException($"the input size must be positive, not {Width}x{Height}");
        if (Mean.Length is not (1 or 3) || Std.Length != Mean.Length) throw new ArgumentException($"mean and std need 1 or 3 values each (got {Mean.Length} and {Std.Length})");
        if (Std.Any(s => !(s > 0))) throw new ArgumentException("every std must be positive");
        if (CropFraction is { } c && !(c >= InceptionDsl.Syntax.SpecLimits.MinCrop && c <= 1)) throw new ArgumentException($"a crop fraction is at least {InceptionDsl.Syntax.SpecLimits.MinCrop} and at most 1, not {c}");
        if (Interpolation is not ("bilinear" or "bicubic" or "nearest")) throw new ArgumentException($"the interpolation is bilinear, bicubic or nearest, not '{Interpolation}'");
    }

    /// <summary>
    /// The same transform for images already in memory: [N, 3, H, W] (or [N, 1, H, W]) floats in 0..1 are resized
    /// (with <see cref="Interpolation"/>), center-cropped, converted to the channels and normalised. A new tensor.
    /// </summary>
    public Tensor Apply(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        Validate();
        if (images.dim() != 4 || images.shape[1] is not (1 or 3))
            throw new ArgumentException("images are [N, 1 or 3, H, W]", nameof(images));
        using var scope = NewDisposeScope();
        var (rw, rh) = ResizeTarget((int)images.shape[3], (int)images.shape[2]);
        var x = images.to_type(ScalarType.Float32);
        if (rw != images.shape[3] || rh != images.shape[2])
            x = Interpolation == "nearest"
                ? nn.functional.interpolate(x, new long[] { rh, rw }, mode: InterpolationMode.Nearest)
                : nn.functional.interpolate(x, new long[] { rh, rw }, mode: Interpolation == "bicubic" ? InterpolationMode.Bicubic : InterpolationMode.Bilinear, align_corners: false);
        long top = (rh - Height) / 2, left = (rw - Width) / 2;
        x = x.slice(2, top, top + Height, 1).slice(3, left, left + Width, 1);
        if (Channels == 1 && x.shape[1] == 3)
            x = (x * tensor(LumaWeights).view(1, 3, 1, 1)).sum(1, keepdim: true);
        else if (Channels == 3 && x.shape[1] == 1)
            x = x.expand(-1, 3, -1, -1);
        var mean = tensor(Mean).view(1, Channels, 1, 1);
        var std = tensor(Std).view(1, Channels, 1, 1);
        return ((x - mean) / std).contiguous().MoveToOuterDisposeScope();
    }
}
