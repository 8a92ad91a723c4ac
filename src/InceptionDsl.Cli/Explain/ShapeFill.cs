using System.Globalization;
using System.Text.RegularExpressions;

namespace InceptionDsl.Cli.Explain;

/// <summary>
/// Fills in the output shapes the layer rows do not carry: parameter-free functional ops inside
/// blocks (pools, activations, flatten) and concats, by running the shape rules forward from each
/// node's input.
/// </summary>
internal static class ShapeFill
{
    public static (List<GraphNode> Nodes, string Output) Fill(IReadOnlyList<GraphNode> nodes, string input)
    {
        var current = input;
        var result = new List<GraphNode>();
        foreach (var node in nodes)
        {
            switch (node)
            {
                case OpNode op:
                    var filled = op.Shape.Length > 0 ? op : op with { Shape = Infer(op, current) };
                    result.Add(filled);
                    current = filled.Shape.Length > 0 ? filled.Shape : current;
                    break;
                case BlockNode block:
                    result.Add(block with { Body = Fill(block.Body, current).Nodes });
                    current = block.Shape;
                    break;
                case ConcatNode concat:
                    var branches = concat.Branches.Select(b => b with { Nodes = Fill(b.Nodes, current).Nodes }).ToList();
                    var shape = concat.Shape.Length > 0 ? concat.Shape : Concat(branches, current);
                    result.Add(new ConcatNode(branches, shape));
                    current = shape.Length > 0 ? shape : current;
                    break;
                case ResidualNode residual:
                    var (body, bodyOut) = Fill(residual.Body, current);
                    var (shortcut, _) = Fill(residual.Shortcut, current);
                    var output = residual.Shape.Length > 0 ? residual.Shape : bodyOut;
                    result.Add(new ResidualNode(body, shortcut, residual.Scale, output));
                    current = output;
                    break;
                case AuxNode aux:
                    result.Add(aux.Head is null ? aux : aux with { Head = aux.Head with { Body = Fill(aux.Head.Body, current).Nodes } });
                    break;
                default:
                    result.Add(node);
                    break;
            }
        }

        return (result, current);
    }

    /// <summary>The kind of a layer from its label (functional ops carry only the label).</summary>
    public static string KindOf(string label) => label switch
    {
        _ when label.StartsWith("max pool", StringComparison.Ordinal) => "maxpool",
        _ when label.StartsWith("avg pool", StringComparison.Ordinal) => "avgpool",
        _ when label.StartsWith("adaptive avg pool", StringComparison.Ordinal) => "adaptive_avgpool",
        _ when label.StartsWith("global average pool", StringComparison.Ordinal) => "global_avgpool",
        _ when label.StartsWith("dropout", StringComparison.Ordinal) => "dropout",
        "ReLU" => "relu",
        "flatten" => "flatten",
        _ => label.Split(' ')[0],
    };

    private static string Concat(List<BranchNode> branches, string input)
    {
        long channels = 0;
        string grid = "";
        foreach (var branch in branches)
        {
            var last = branch.Nodes.Count == 0 ? input : Describe.ShapeOf(branch.Nodes[^1]);
            if (Describe.ParseShape(last) is not { } shape || shape.H == 0)
                return "";
            channels += shape.C;
            grid = $"{shape.H}, {shape.W}";
        }

        return grid.Length == 0 ? "" : $"[{channels}, {grid}]";
    }

    private static string Infer(OpNode op, string input)
    {
        if (Describe.ParseShape(input) is not { } s)
            return "";
        switch (op.Kind)
        {
            case "relu" or "dropout":
                return input;
            case "flatten":
                return s.H == 0 ? input : $"[{s.C * s.H * s.W}]";
            case "global_avgpool":
                return $"[{s.C}]";
            case "adaptive_avgpool":
                var size = Regex.Match(op.Label, @"to (\d+)x(\d+)");
                return size.Success ? $"[{s.C}, {size.Groups[1].Value}, {size.Groups[2].Value}]" : "";
            case "maxpool" or "avgpool":
                var m = Regex.Match(op.Label, @"(\d+)x(\d+)(?:/(\d+)(?:x(\d+))?)?(?: pad (\d+)(?:x(\d+))?)?");
                if (!m.Success || s.H == 0)
                    return "";
                long Int(int group, long fallback) => m.Groups[group].Success ? long.Parse(m.Groups[group].Value, CultureInfo.InvariantCulture) : fallback;
                long kh = Int(1, 1), kw = Int(2, kh), sh = Int(3, kh), sw = Int(4, m.Groups[3].Success ? sh : kw), ph = Int(5, 0), pw = Int(6, ph);
                bool ceil = op.Label.Contains(" ceil", StringComparison.Ordinal);
                return $"[{s.C}, {Out(s.H, kh, sh, ph, ceil)}, {Out(s.W, kw, sw, pw, ceil)}]";
            default:
                return "";
        }
    }

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
