using System.Globalization;
using System.Text.RegularExpressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Cli.Explain;

/// <summary>
/// The output shapes the IR does not hold for one block instance: a block class's forward steps
/// carry the numbers of its first use only, so inside a block parameter-free functional ops (pools,
/// activations, flatten) and concats are worked out from the instance's own input.
/// </summary>
public static class ShapeFill
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
                // The label's geometry: kernel, then "/stride" unless it is 1, then " pad p" unless it is 0
                // (a side printed once when equal); a value named by a block parameter leaves it unknown.
                var m = Regex.Match(op.Label, @"^(?:max|avg) pool (\d+)x(\d+)(?:/(\d+)(?:x(\d+))?)?(?: pad (\d+)(?:x(\d+))?)?(?=$| ceil| excl\. pad)");
                if (!m.Success || input.IsVector)
                    return null;
                long Int(int group, long fallback) => m.Groups[group].Success ? Long(m.Groups[group]) : fallback;
                long kh = Int(1, 1), kw = Int(2, kh), sh = Int(3, 1), sw = Int(4, sh), ph = Int(5, 0), pw = Int(6, ph);
                bool ceil = op.Label.Contains(" ceil", StringComparison.Ordinal);
                return Map(input.Channels, ShapeRules.PoolOut(input.Height, kh, sh, ph, 1, ceil), ShapeRules.PoolOut(input.Width, kw, sw, pw, 1, ceil));
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
}
