namespace InceptionDsl.Semantics;

/// <summary>PyTorch's output-size formulas for convolution and pooling along one axis.</summary>
internal static class ShapeRules
{
    /// <summary>floor((n + 2p - d(k-1) - 1) / s) + 1, as Conv2d computes it.</summary>
    public static long ConvOut(long size, long kernel, long stride, long pad, long dilation) =>
        FloorDiv(size + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1;

    /// <summary>
    /// Pooling output; with ceil_mode the last window may start in the padding only if it starts
    /// inside the input (PyTorch drops a window that would start past it).
    /// </summary>
    public static long PoolOut(long size, long kernel, long stride, long pad, long dilation, bool ceil)
    {
        long span = size + 2 * pad - dilation * (kernel - 1) - 1;
        if (!ceil)
            return FloorDiv(span, stride) + 1;
        long output = CeilDiv(span, stride) + 1;
        if ((output - 1) * stride >= size + pad)
            output--;
        return output;
    }

    private static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);
}
