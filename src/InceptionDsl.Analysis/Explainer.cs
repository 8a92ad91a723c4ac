using InceptionDsl.Text;
using System.Globalization;
using System.Text;

namespace InceptionDsl.Analysis;

/// <summary>
/// A readable walk through a model, from its graph: the stem, every stage in order with its output
/// shape and parameters, where the grid is reduced, each block kind with its branches and factorized
/// convolutions, residual connections and scales, the classifier head and auxiliary heads.
/// </summary>
public static class Explainer
{
    public static string Explain(ModelGraph graph)
    {
        var m = graph.Model;
        var md = m.Metadata;
        var summary = new LayerSummary(m);
        var sb = new StringBuilder();
        sb.AppendLine($"{m.ClassName}");
        if (md.Paper is not null) sb.AppendLine(Wrap("paper: " + md.Paper, "  "));
        if (md.Peer is not null) sb.AppendLine(Wrap("layout of: " + md.Peer, "  "));
        if (md.Top1 is not null)
            sb.AppendLine($"reference accuracy (ImageNet): top-1 {md.Top1.Value.ToString(CultureInfo.InvariantCulture)}%" +
                (md.Top5 is null ? "" : $", top-5 {md.Top5.Value.ToString(CultureInfo.InvariantCulture)}%"));
        sb.AppendLine(Wrap($"input [{m.InChannels}, {m.Height}, {m.Width}] -> output {m.OutputShape}; {Describe.Num(summary.ParametersWithoutAux)} parameters" +
            (m.Aux.Count > 0 ? $" ({Describe.Num(summary.Parameters)} with aux heads)" : "") + $", {summary.Flops / 1e9:F2} GFLOPs per image", ""));
        if (md.Notes is not null) sb.AppendLine(Wrap("notes: " + md.Notes, "  "));
        // The published weights the spec lists (all facts: inceptiondsl weights MODEL).
        foreach (var w in m.Weights)
            sb.AppendLine(Wrap($"weights {w.Name}: {w.FileName} ({w.License}), {w.Interpolation}" +
                (w.CropFraction is { } crop ? $" resize, center crop {crop.ToString(CultureInfo.InvariantCulture)}" : " resize") +
                (w.Top1 is { } top1 ? $", reported top-1 {top1.ToString(CultureInfo.InvariantCulture)}%" : ""), "  "));
        sb.AppendLine();

        var groups = ModelGraph.Collapse(graph.Nodes.Where(n => n is not AuxNode).ToList());
        int firstBlock = groups.FindIndex(g => g.Node is BlockNode b && !IsStemBlock(b));
        if (firstBlock < 0) firstBlock = groups.Count;
        int lastBlock = groups.FindLastIndex(g => g.Node is BlockNode);

        sb.AppendLine("Stages (in forward order; grid = spatial size of the output):");
        var previousGrid = new GridSize(m.Height, m.Width, false);
        for (int i = 0; i < groups.Count; i++)
        {
            var (node, count, last) = groups[i];
            if (i == 0) sb.AppendLine("  stem");
            if (i == firstBlock && firstBlock > 0) sb.AppendLine("  body");
            if (i == lastBlock + 1) sb.AppendLine("  head");
            var shape = Describe.ShapeOf(last);
            var grid = GridSize.Of(shape);
            long parameters = 0;
            for (int k = IndexOf(graph.Nodes, node); k >= 0 && k <= IndexOf(graph.Nodes, last); k++)
                parameters += graph.Nodes[k] is AuxNode ? 0 : Describe.Cost(graph.Nodes[k]).Params;
            var name = count > 1 ? $"{Describe.PathOf(node)} .. {Describe.PathOf(last)}" : Describe.PathOf(node);
            var what = node is BlockNode block ? (count > 1 ? $"{count} x {block.ClassName}" : block.ClassName) : Describe.Text(node);
            var reduction = grid is { IsVector: false } && grid != previousGrid ? $"  grid -> {grid}" : "";
            if (grid is { IsVector: true } && !previousGrid.IsVector) reduction = "  to a vector";
            sb.AppendLine($"    {LayerSummary.Fit(name, 26)} {LayerSummary.Fit(what, 24)} {LayerSummary.Fit(Describe.Show(shape), 15)} {LayerSummary.Fit(parameters == 0 ? "" : Describe.Num(parameters), 11, right: true)}{reduction}".TrimEnd());
            if (grid is { } known) previousGrid = known;
            foreach (var aux in graph.Nodes.OfType<AuxNode>().Where(a => IsWithin(graph.Nodes, a, node, last)))
                sb.AppendLine($"      + auxiliary head {aux.Name} reads {aux.At} (loss weight {aux.Weight.ToString(CultureInfo.InvariantCulture)})");
        }

        sb.AppendLine();
        sb.AppendLine("Block kinds:");
        var seen = new HashSet<string>();
        foreach (var block in graph.Nodes.Where(n => n is not AuxNode).OfType<BlockNode>())
        {
            if (!seen.Add(block.ClassName))
                continue;
            int uses = graph.Nodes.OfType<BlockNode>().Count(b => b.ClassName == block.ClassName);
            DescribeBlock(sb, block, uses, "  ");
        }

        var auxNodes = graph.Nodes.OfType<AuxNode>().ToList();
        if (auxNodes.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("Auxiliary heads (trained with the main loss, skipped in eval):");
            foreach (var aux in auxNodes)
            {
                sb.AppendLine($"  {aux.Name}: on {aux.At}, loss weight {aux.Weight.ToString(CultureInfo.InvariantCulture)}, {Describe.Num(aux.Head?.Parameters ?? 0)} parameters");
                if (aux.Head is { } head)
                    sb.AppendLine(Wrap($"{head.ClassName}: {Describe.Chain(head.Body)} -> {head.Shape}", "    "));
            }
        }

        var tail = graph.Nodes.Skip(graph.Nodes.ToList().FindLastIndex(n => n is BlockNode) + 1).Where(n => n is not AuxNode).ToList();
        if (tail.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine(Wrap("Classifier head: " + Describe.Chain(tail) + " -> " + m.OutputShape, ""));
        }

        return sb.ToString();
    }

    private static bool IsStemBlock(BlockNode block) => block.Doc?.StartsWith("stem", StringComparison.OrdinalIgnoreCase) == true;

    private static int IndexOf(IReadOnlyList<GraphNode> nodes, GraphNode node)
    {
        for (int i = 0; i < nodes.Count; i++)
            if (ReferenceEquals(nodes[i], node)) return i;
        return -1;
    }

    private static bool IsWithin(IReadOnlyList<GraphNode> nodes, GraphNode aux, GraphNode first, GraphNode last)
    {
        int index = IndexOf(nodes, aux), a = IndexOf(nodes, first), b = IndexOf(nodes, last);
        // An aux tap follows the node it reads.
        return index == b + 1 || (index > a && index <= b);
    }

    /// <summary>One block kind: its doc, branches, factorizations, residual and scale, output.</summary>
    public static void DescribeBlock(StringBuilder sb, BlockNode block, int uses, string indent)
    {
        // Wrapped: a deep path (torchvision's trunk_output.block1.block1-0.f.se) would pass the width.
        sb.AppendLine(Wrap($"{block.ClassName}{(uses > 1 ? $" (x{uses})" : "")}: first at {block.Path} -> {block.Shape}, {Describe.Num(block.Parameters)} parameters", indent));
        if (block.Doc is not null)
            sb.AppendLine(Wrap(block.Doc, indent + "  "));
        DescribeBody(sb, block.Body, indent + "  ");
    }

    private static void DescribeBody(StringBuilder sb, IReadOnlyList<GraphNode> body, string indent)
    {
        foreach (var node in body)
        {
            switch (node)
            {
                case ConcatNode concat:
                    sb.AppendLine($"{indent}{concat.Branches.Count} branches, concatenated on channels:");
                    foreach (var branch in concat.Branches)
                    {
                        var nested = branch.Nodes.Any(n => n is ConcatNode or ResidualNode);
                        sb.AppendLine(Wrap($"{branch.Name}: {Describe.Chain(branch.Nodes)}", indent + "  "));
                        foreach (var note in Describe.Factorizations(branch.Nodes).Distinct())
                            sb.AppendLine($"{indent}    ({note})");
                        if (nested)
                            foreach (var inner in branch.Nodes.OfType<ConcatNode>())
                                sb.AppendLine($"{indent}    (splits into {inner.Branches.Count} parallel convs: {string.Join(" | ", inner.Branches.Select(b => Describe.Chain(b.Nodes)))})");
                    }

                    var strided = ModelGraph.Descendants(new[] { concat }).OfType<OpNode>().Any(o => o.Geometry is { } g && (g.StrideH == 2 || g.StrideW == 2));
                    if (strided)
                        sb.AppendLine($"{indent}reduces the grid: its branches use stride 2 (conv or pool side by side)");
                    break;
                case ResidualNode residual:
                    sb.AppendLine($"{indent}residual connection: output = " +
                        $"{(residual.Scale is null ? "body(x)" : $"{residual.Scale} * body(x)")} + {(residual.Shortcut.Count == 0 ? "x (identity)" : "shortcut(x)")}");
                    sb.AppendLine($"{indent}  body:");
                    DescribeBody(sb, residual.Body, indent + "    ");
                    if (residual.Shortcut.Count > 0)
                        sb.AppendLine(Wrap($"shortcut: {Describe.Chain(residual.Shortcut)} (a projection where shape changes)", indent + "  "));
                    break;
                case GateNode gate:
                    sb.AppendLine(Wrap($"gate: output = x * ({Describe.Chain(gate.Branch)})(x), one weight per channel broadcast over the map", indent));
                    break;
                case SelectNode select:
                    sb.AppendLine(Wrap($"selective kernel: {select.Paths.Count} paths{(select.Split ? ", each on its slice of the input's channels" : " on the same input")}, "
                        + "each channel weighted by a softmax across the paths and added:", indent));
                    foreach (var path in select.Paths)
                        sb.AppendLine(Wrap($"{path.Name}: {Describe.Chain(path.Nodes)}", indent + "  "));
                    sb.AppendLine(Wrap($"attn (on the sum of the paths): {Describe.Chain(select.Attn)}", indent + "  "));
                    break;
                case BlockNode inner:
                    DescribeBlock(sb, inner, 1, indent);
                    break;
                case OpNode op:
                    sb.AppendLine($"{indent}then {Describe.Short(op)}");
                    break;
            }
        }
    }

    /// <summary>Wraps text to 100 columns with the indent on every line.</summary>
    public static string Wrap(string text, string indent, int width = LayerSummary.Width)
    {
        var lines = new List<string>();
        var line = new StringBuilder(indent);
        // Split at every white space (line breaks too): a spec's text never starts a line of its own; what is hidden is escaped.
        foreach (var word in ShownText.Of(string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))).Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > indent.Length && line.Length + 1 + word.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append(indent).Append("  ");
            }

            if (line.Length > indent.Length && line[^1] != ' ') line.Append(' ');
            line.Append(word);
        }

        lines.Add(line.ToString());
        return string.Join(Environment.NewLine, lines);
    }
}
