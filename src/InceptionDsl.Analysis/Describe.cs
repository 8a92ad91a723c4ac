using System.Globalization;
using InceptionDsl.Semantics;

namespace InceptionDsl.Analysis;

/// <summary>The spatial size of an output, "35x35"; a flat vector has none and shows as "vector".</summary>
public readonly record struct GridSize(long Height, long Width, bool IsVector)
{
    public static GridSize? Of(ShapeIR? shape) => shape is null ? null : shape.IsVector ? new(0, 0, true) : new(shape.Height, shape.Width, false);

    public long Area => Height * Width;

    public override string ToString() => IsVector ? "vector" : $"{Height}x{Width}";
}

/// <summary>Small readers of the labels and shapes in the graph, shared by explain, diff and diagram.</summary>
public static class Describe
{
    /// <summary>
    /// A compact label, from the op's geometry where it has one: "3x3/2 conv, 96" for a conv-bn-relu
    /// 3x3 stride 2 pad 1 with 96 filters, "maxpool 3x3/2 ceil"; padding is left out.
    /// </summary>
    public static string Short(OpNode op) => op switch
    {
        { Kind: "conv", Geometry: { } g } => $"{Window(g)} conv, {N(g.Filters)}{(g.Groups != 1 ? $", groups {N(g.Groups)}" : "")}",
        { Kind: "maxpool" or "avgpool", Geometry: { } g } =>
            $"{op.Kind} {Window(g)}{(g.Ceil ? " ceil" : "")}{(g.ExcludePad ? " excl. pad" : "")}",
        { Kind: "adaptive_avgpool", Shape: { IsVector: false } s } => $"adaptive avgpool to {N(s.Height)}x{N(s.Width)}",
        _ => op.Label,
    };

    /// <summary>Kernel and stride as a label shows them: "3x3", "1x7", "3x3/2", "1x1/2x1".</summary>
    private static string Window(LayerGeometry g)
    {
        var kernel = $"{N(g.KernelH)}x{N(g.KernelW)}";
        if (g.StrideH == 1 && g.StrideW == 1)
            return kernel;
        return kernel + "/" + (g.StrideH == g.StrideW ? N(g.StrideH) : $"{N(g.StrideH)}x{N(g.StrideW)}");
    }

    /// <summary>The kernel of a conv, e.g. (1, 7).</summary>
    public static (int H, int W)? Kernel(OpNode op) => op is { Kind: "conv", Geometry: { } g } ? (g.KernelH, g.KernelW) : null;

    /// <summary>Branch text: "1x1 conv, 64 > 3x3 conv, 96".</summary>
    public static string Chain(IEnumerable<GraphNode> nodes) => string.Join(" > ", nodes.Select(Text));

    public static string Text(GraphNode node) => node switch
    {
        OpNode op => Short(op),
        BlockNode b => b.ClassName,
        ConcatNode c => "concat(" + string.Join(" | ", c.Branches.Select(br => Chain(br.Nodes))) + ")",
        ResidualNode r => $"residual(body {Chain(r.Body)}{(r.Shortcut.Count > 0 ? "; shortcut " + Chain(r.Shortcut) : "")}{(r.Scale is null ? "" : "; scale " + r.Scale)})",
        GateNode g => $"gate(x * {Chain(g.Branch)})",
        SelectNode s => $"select({string.Join(" | ", s.Paths.Select(p => Chain(p.Nodes)))}; softmax across paths of {Chain(s.Attn)})",
        AuxNode a => "aux " + a.Name,
        _ => "",
    };

    /// <summary>Notes on factorized convolutions in a chain: 1xn followed by nx1, or stacked 3x3s.</summary>
    public static IEnumerable<string> Factorizations(IReadOnlyList<GraphNode> chain)
    {
        var convs = chain.OfType<OpNode>().Where(o => o.Kind == "conv").Select(o => Kernel(o)).ToList();
        for (int i = 0; i + 1 < convs.Count; i++)
        {
            if (convs[i] is { } a && convs[i + 1] is { } b)
            {
                if (a.H == 1 && a.W > 1 && b.W == 1 && b.H == a.W)
                    yield return $"1x{a.W} then {b.H}x1 = a factorized {a.W}x{a.W}";
                else if (a.W == 1 && a.H > 1 && b.H == 1 && b.W == a.H)
                    yield return $"{a.H}x1 then 1x{b.W} = a factorized {a.H}x{a.H}";
                else if (a.H == 3 && a.W == 3 && b.H == 3 && b.W == 3)
                    yield return "two stacked 3x3 = a 5x5 receptive field";
            }
        }
    }

    public static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Signed(long value) => (value > 0 ? "+" : value < 0 ? "-" : "") + Math.Abs(value).ToString("N0", CultureInfo.InvariantCulture);

    public static string SignedG(long flops) => (flops >= 0 ? "+" : "-") + (Math.Abs(flops) / 1e9).ToString("F2", CultureInfo.InvariantCulture);

    /// <summary>Parameters and FLOPs of a top-level node (functional ops have none).</summary>
    public static (long Params, long Flops) Cost(GraphNode node) => node switch
    {
        OpNode op => (op.Parameters, op.Flops),
        BlockNode b => (b.Parameters, b.Flops),
        AuxNode a => (a.Head?.Parameters ?? 0, 0),
        _ => ModelGraph.Descendants(new[] { node }).OfType<OpNode>().Aggregate((0L, 0L), (acc, o) => (acc.Item1 + o.Parameters, acc.Item2 + o.Flops)),
    };

    /// <summary>A node's output shape; null when not known (and for an aux tap, which passes the trunk on).</summary>
    public static ShapeIR? ShapeOf(GraphNode node) => node switch
    {
        OpNode op => op.Shape,
        BlockNode b => b.Shape,
        ConcatNode c => c.Shape,
        ResidualNode r => r.Shape,
        GateNode g => g.Shape,
        SelectNode s => s.Shape,
        _ => null,
    };

    /// <summary>A shape as the tables and diagrams print it, "[384, 35, 35]"; empty when not known.</summary>
    public static string Show(ShapeIR? shape) => shape?.ToString() ?? "";

    public static string PathOf(GraphNode node) => node switch
    {
        OpNode { Path: { } p } => p,
        BlockNode b => b.Path,
        _ => "",
    };
}
