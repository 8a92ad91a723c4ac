using System;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Platform;

/// <summary>
/// One convolution configuration, computed by libtorch in float32 and compared with the same op in
/// float64 (which oneDNN does not run): the known-answer check behind <see cref="LibTorchGuard"/>
/// and the platform tests. Inputs and weights are smooth functions of their index, so the check
/// never touches the caller's random-number generator.
/// </summary>
/// <param name="Name">A short description, e.g. <c>3x3, 20 -> 8, batch 2, 4x4, NCHW</c>.</param>
/// <param name="Batch">Samples in the input.</param>
/// <param name="InChannels">Input channels.</param>
/// <param name="OutChannels">Output channels (filters).</param>
/// <param name="Kernel">Square kernel side; padding keeps the map size at stride 1.</param>
/// <param name="Stride">Stride on both axes.</param>
/// <param name="Size">Square input map side.</param>
/// <param name="ChannelsLast">Whether input and weight are laid out NHWC (as <c>Fuse()</c> does) rather than NCHW.</param>
/// <param name="Crashes">Whether the configuration kills the process (SIGFPE) where oneDNN sees no caches: never run in-process unless oneDNN is off or the caches are described.</param>
public sealed record ConvolutionProbe(string Name, int Batch, int InChannels, int OutChannels, int Kernel, int Stride, int Size, bool ChannelsLast, bool Crashes = false)
{
    /// <summary>Largest relative difference a correct float32 convolution shows here (measured: 2e-7 to 1e-6).</summary>
    public const double Tolerance = 1e-4;

    /// <summary>
    /// The smallest configurations found to go wrong in libtorch 2.10's oneDNN on a CPU whose CPUID
    /// describes no data cache (AMD EPYC with AVX-512 in a virtual machine, 2026-12-03; docs/platform.md).
    /// </summary>
    public static readonly ConvolutionProbe[] KnownFaults =
    {
        // NCHW 3x3 with an input channel count above 16 and not a multiple of 16, batch 2 or more:
        // relative error 0.1-0.4 or NaN, varying between runs. GoogLeNet's 24-channel 3x3 convs in
        // inception4b-4e hit it. Cheap: the guard runs it at start-up.
        new("3x3, 20 -> 8, batch 2, 4x4, NCHW", Batch: 2, InChannels: 20, OutChannels: 8, Kernel: 3, Stride: 1, Size: 4, ChannelsLast: false),
        // Channels-last 1x1 (as Fuse() lays models out): relative error 0.56.
        new("1x1, 448 -> 1024, batch 1, 7x7, channels-last", Batch: 1, InChannels: 448, OutChannels: 1024, Kernel: 1, Stride: 1, Size: 7, ChannelsLast: true),
        // Channels-last 1x1 with 512 or more channels on one side: SIGFPE in brgemm_1x1's
        // est_eff_1x1, a division by the L2 size (fused ResNet-50's layer3/layer4).
        new("1x1, 512 -> 1024, batch 2, 2x2, channels-last", Batch: 2, InChannels: 512, OutChannels: 1024, Kernel: 1, Stride: 1, Size: 2, ChannelsLast: true, Crashes: true),
    };

    /// <summary>The probe the guard runs at start-up: the cheapest wrong configuration (about a millisecond).</summary>
    public static ConvolutionProbe StartUp => KnownFaults[0];

    /// <summary>max |float32 - float64| / max |float64| of this convolution; NaN or infinity when float32 produced them.</summary>
    public double RelativeError()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = Smooth(new long[] { Batch, InChannels, Size, Size }, 0.37, 1.0);
        var weight = Smooth(new long[] { OutChannels, InChannels, Kernel, Kernel }, 0.11, 1.0 / Math.Sqrt(InChannels * Kernel * Kernel));
        var stride = new long[] { Stride, Stride };
        var padding = new long[] { Kernel / 2, Kernel / 2 };
        var exact = nn.functional.conv2d(input, weight, null, stride, padding);

        var input32 = input.to(float32);
        var weight32 = weight.to(float32);
        if (ChannelsLast)
        {
            input32 = input32.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
            weight32 = weight32.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);
        }

        var result = nn.functional.conv2d(input32, weight32, null, stride, padding).to(float64);
        var difference = (result - exact).abs().max().item<double>();
        return difference / exact.abs().max().item<double>();
    }

    /// <summary>Whether <paramref name="error"/> is a right answer: finite and within <see cref="Tolerance"/>.</summary>
    public static bool IsRight(double error) => !double.IsNaN(error) && error <= Tolerance;

    private static Tensor Smooth(long[] shape, double step, double scale)
    {
        long count = 1;
        foreach (var side in shape)
            count *= side;
        return (arange(count, dtype: float64) * step + 0.1).sin().mul(scale).reshape(shape);
    }
}
