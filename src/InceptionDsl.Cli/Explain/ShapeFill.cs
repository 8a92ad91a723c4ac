using System.Globalization;
using System.Text.RegularExpressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Cli.Explain;

/// <summary>
/// The output shapes the IR does not hold for one block instance: a block class's forward steps
/// carry the numbers of its first use only, so inside a block parameter-free functional ops (pools,
/// activations, flatten) and concats are worked out from the instance's own input.
/// </summary>
internal static class ShapeFill
{
    /// <summary>What a parameter-free op makes of <paramref name="input"/>; null when its label says too little.</summary>
    public static ShapeIR? Infer(OpNode op, ShapeIR input)
    {
        switch (op.Kind)
        {
            case "relu" or "dropout":
                return input;
            case "flatten":
                return input.IsVector ? input : Vector(input.Channels * input.Height * input.Width);
            case "global_avgpool":
                return Vector(input.Channels);
            case "adaptive_avgpool":
                var size = Regex.Match(op.Label, @"to (\d+)x(\d+)");
                return size.Success ? Map(input.Channels, Long(size.Groups[1]), Long(size.Groups[2])) : null;
            case "maxpool" or "avgpool":
                var m = Regex.Match(op.Label, @"(\d+)x(\d+)(?:/(\d+)(?:x(\d+))?)?(?: pad (\d+)(?:x(\d+))?)?");
                if (!m.Success || input.IsVector)
                    return null;
                long Int(int group, long fallback) => m.Groups[group].Success ? Long(m.Groups[group]) : fallback;
                long kh = Int(1, 1), kw = Int(2, kh), sh = Int(3, kh), sw = Int(4, m.Groups[3].Success ? sh : kw), ph = Int(5, 0), pw = Int(6, ph);
                bool ceil = op.Label.Contains(" ceil", StringComparison.Ordinal);
                return Map(input.Channels, Out(input.Height, kh, sh, ph, ceil), Out(input.Width, kw, sw, pw, ceil));
            default:
                return null;
        }
    }

    /// <summary>Branch outputs concatenated on channels; null unless every branch ends in a known map.</summary>
    public static ShapeIR? Concat(IEnumerable<ShapeIR?> branchOutputs)
    {
        ShapeIR? result = null;
        foreach (var output in branchOutputs)
        {
            if (output is null || output.IsVector)
                return null;
            result = output with { Channels = (result?.Channels ?? 0) + output.Channels };
        }

        return result;
    }

    private static ShapeIR Map(long channels, long height, long width) => new(channels, height, width, false);

    private static ShapeIR Vector(long features) => new(features, 1, 1, true);

    private static long Long(Group group) => long.Parse(group.Value, CultureInfo.InvariantCulture);

    /// <summary>PyTorch's pooling output size, ceil mode included (a last window must start inside the input).</summary>
    private static long Out(long size, long kernel, long stride, long pad, bool ceil)
    {
        long span = size + 2 * pad - kernel;
        long output = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (output - 1) * stride >= size + pad)
            output--;
        return output;
    }
}
