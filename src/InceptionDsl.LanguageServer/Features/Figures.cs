using System.Globalization;
using InceptionDsl.Analysis.Source;
using InceptionDsl.Semantics;

namespace InceptionDsl.LanguageServer.Features;

/// <summary>How hover and hints write counts and the shapes of a node's uses.</summary>
internal static class Figures
{
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>FLOPs as G, M or plain, e.g. <c>1.82 GFLOPs</c>.</summary>
    public static string Flops(long value) => value switch
    {
        >= 1_000_000_000 => (value / 1e9).ToString("0.##", CultureInfo.InvariantCulture) + " GFLOPs",
        >= 1_000_000 => (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + " MFLOPs",
        _ => Count(value) + " FLOPs",
    };

    /// <summary>The output of a node's uses: one shape, or the first and last with the count of uses.</summary>
    public static string Outputs(IReadOnlyList<NodeUse> uses)
    {
        if (uses.Count == 0)
            return "";
        var first = uses[0].Node.Output;
        var last = uses[^1].Node.Output;
        return uses.All(u => u.Node.Output == first) ? Shape(first) + (uses.Count > 1 ? $" ×{uses.Count}" : "") : $"{Shape(first)} … {Shape(last)} ({uses.Count} uses)";
    }

    public static string Shape(ShapeIR shape) => shape.ToString();

    /// <summary>The model whose numbers hints show: the setting's when the spec has it, else the spec's first.</summary>
    public static string? Selected(SpecAnalysis analysis, ServerSettings settings) =>
        settings.Variant is { } wanted && analysis.Models.FirstOrDefault(m => string.Equals(m, wanted, StringComparison.OrdinalIgnoreCase)) is { } found
            ? found
            : analysis.Models.FirstOrDefault();
}
