using InceptionDsl.Text;
using System.Globalization;
using System.Security;
using System.Text;

namespace InceptionDsl.Analysis;

/// <summary>
/// Draws a model's block graph: one row per top-level node, each block framed with its branches side
/// by side and a concat or add node where they meet, consecutive equal blocks collapsed into one
/// frame with their count, every node labelled with kernel, filters and output shape. SVG is laid
/// out here (no external tool); DOT and Mermaid are emitted for Graphviz and Markdown.
/// </summary>
public static class DiagramWriter
{
    private const double CharWidth = 6.8;
    private const double LineHeight = 14;
    private const double GapY = 16;
    private const double GapX = 12;

    // ---- layout elements -------------------------------------------------------------------

    private abstract class Element
    {
        public double W { get; protected set; }
        public double H { get; protected set; }
        public abstract void Draw(StringBuilder svg, double x, double y);
    }

    private sealed class Box : Element
    {
        private readonly string[] _lines;
        private readonly string _style;

        public Box(string style, params string[] lines)
        {
            _lines = lines.Where(l => l.Length > 0).ToArray();
            _style = style;
            W = Math.Max(40, _lines.Max(l => l.Length) * CharWidth + 14);
            H = _lines.Length * LineHeight + 8;
        }

        public override void Draw(StringBuilder svg, double x, double y)
        {
            svg.AppendLine($"<rect class=\"{_style}\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(W)}\" height=\"{F(H)}\" rx=\"4\"/>");
            for (int i = 0; i < _lines.Length; i++)
                svg.AppendLine($"<text class=\"{(i == 0 ? "t" : "s")}\" x=\"{F(x + W / 2)}\" y=\"{F(y + 4 + LineHeight * (i + 0.78))}\">{Esc(_lines[i])}</text>");
        }
    }

    private sealed class Stack : Element
    {
        private readonly List<Element> _items;

        public Stack(List<Element> items)
        {
            _items = items;
            W = items.Count == 0 ? 0 : items.Max(i => i.W);
            H = items.Sum(i => i.H) + GapY * Math.Max(0, items.Count - 1);
        }

        public override void Draw(StringBuilder svg, double x, double y)
        {
            double cy = y;
            for (int i = 0; i < _items.Count; i++)
            {
                var item = _items[i];
                if (i > 0)
                    Line(svg, x + W / 2, cy - GapY, x + W / 2, cy, arrow: true);
                item.Draw(svg, x + (W - item.W) / 2, cy);
                cy += item.H + GapY;
            }
        }
    }

    /// <summary>Columns side by side from one fork to one merge node (concat or add).</summary>
    private sealed class Parallel : Element
    {
        private readonly List<Element> _columns;
        private readonly Element _merge;
        private const double Fork = 10;

        public Parallel(List<Element> columns, Element merge)
        {
            _columns = columns;
            _merge = merge;
            double columnsWidth = columns.Sum(c => Math.Max(c.W, 20)) + GapX * (columns.Count - 1);
            W = Math.Max(columnsWidth, merge.W);
            H = Fork + (columns.Count == 0 ? 0 : columns.Max(c => c.H)) + GapY + merge.H;
        }

        public override void Draw(StringBuilder svg, double x, double y)
        {
            double columnsWidth = _columns.Sum(c => Math.Max(c.W, 20)) + GapX * (_columns.Count - 1);
            double cx = x + (W - columnsWidth) / 2;
            double mergeTop = y + H - _merge.H;
            svg.AppendLine($"<circle class=\"fork\" cx=\"{F(x + W / 2)}\" cy=\"{F(y)}\" r=\"2.5\"/>");
            foreach (var column in _columns)
            {
                double w = Math.Max(column.W, 20);
                double mid = cx + w / 2;
                Line(svg, x + W / 2, y, mid, y + Fork, arrow: false);
                // Each column runs straight down to just above the merge node, then joins it: no line crosses a box.
                double join = mergeTop - GapY / 2;
                if (column.H > 0)
                    column.Draw(svg, cx + (w - column.W) / 2, y + Fork);
                Line(svg, mid, y + Fork + column.H, mid, join, arrow: false);
                Line(svg, mid, join, x + W / 2, mergeTop, arrow: true);

                cx += w + GapX;
            }

            _merge.Draw(svg, x + (W - _merge.W) / 2, mergeTop);
        }
    }

    /// <summary>A dashed frame around a block, titled with its class, count, path and output.</summary>
    private sealed class Frame : Element
    {
        private readonly string _title;
        private readonly Element _inner;
        private const double Pad = 10;
        private const double Title = 18;

        public Frame(string title, Element inner)
        {
            _title = title;
            _inner = inner;
            W = Math.Max(inner.W + 2 * Pad, title.Length * CharWidth + 2 * Pad);
            H = Title + inner.H + 2 * Pad;
        }

        public override void Draw(StringBuilder svg, double x, double y)
        {
            svg.AppendLine($"<rect class=\"frame\" x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(W)}\" height=\"{F(H)}\" rx=\"6\"/>");
            svg.AppendLine($"<text class=\"ft\" x=\"{F(x + Pad)}\" y=\"{F(y + 14)}\">{Esc(_title)}</text>");
            Line(svg, x + W / 2, y, x + W / 2, y + Title + Pad, arrow: true);
            _inner.Draw(svg, x + (W - _inner.W) / 2, y + Title + Pad);
            Line(svg, x + W / 2, y + Title + Pad + _inner.H, x + W / 2, y + H, arrow: false);
        }
    }

    // ---- building the layout from the graph ---------------------------------------------------

    public static string Svg(ModelGraph graph)
    {
        var m = graph.Model;
        var items = new List<Element> { new Box("io", $"input [{m.InChannels}, {m.Height}, {m.Width}]") };
        foreach (var (node, count, last) in ModelGraph.Collapse(graph.Nodes))
            items.Add(Layout(node, count, last));
        items.Add(new Box("io", $"output {m.OutputShape}"));
        var stack = new Stack(items);
        const double margin = 20, header = 44;
        double width = Math.Max(stack.W, 420) + 2 * margin;
        double height = stack.H + 2 * margin + header;
        var svg = new StringBuilder();
        svg.AppendLine($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\">");
        svg.AppendLine("<style>");
        svg.AppendLine("text { font-family: 'DejaVu Sans Mono', Menlo, Consolas, monospace; font-size: 11px; fill: #1a1a1a; }");
        svg.AppendLine(".t { text-anchor: middle; } .s { text-anchor: middle; fill: #555; font-size: 10px; } .ft { font-weight: bold; fill: #333; }");
        svg.AppendLine(".h1 { font-size: 15px; font-weight: bold; } .h2 { font-size: 11px; fill: #555; }");
        svg.AppendLine("rect { stroke: #555; stroke-width: 1; } .conv { fill: #dbe9f6; } .pool { fill: #fdf1c7; } .merge { fill: #d5f0d5; } .add { fill: #fbe0c8; }");
        svg.AppendLine(".fc { fill: #f6d6e6; } .op { fill: #eeeeee; } .io { fill: #ffffff; stroke-width: 1.5; } .aux { fill: #ffffff; stroke-dasharray: 4 3; }");
        svg.AppendLine(".frame { fill: #fafafa; fill-opacity: 0.6; stroke: #999; stroke-dasharray: 6 3; } .fork { fill: #555; }");
        svg.AppendLine("line { stroke: #666; stroke-width: 1; } line.a { marker-end: url(#arrow); }");
        svg.AppendLine("</style>");
        svg.AppendLine("<defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#666\"/></marker></defs>");
        svg.AppendLine($"<rect x=\"0\" y=\"0\" width=\"{F(width)}\" height=\"{F(height)}\" style=\"fill:#ffffff;stroke:none\"/>");
        var summary = new LayerSummary(m);
        svg.AppendLine($"<text class=\"h1\" x=\"{F(margin)}\" y=\"{F(margin + 8)}\">{Esc(m.ClassName)}</text>");
        svg.AppendLine($"<text class=\"h2\" x=\"{F(margin)}\" y=\"{F(margin + 26)}\">{Esc($"{Describe.Num(summary.ParametersWithoutAux)} params, {summary.Flops / 1e9:F2} GFLOPs, {ShownText.Of(Path.GetFileName(m.SpecPath))}")}</text>");
        stack.Draw(svg, margin + (width - 2 * margin - stack.W) / 2, margin + header);
        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static Element Layout(GraphNode node, int count = 1, GraphNode? last = null) => node switch
    {
        OpNode op => OpBox(op),
        BlockNode block => new Frame(BlockTitle(block, count, last as BlockNode), Body(block.Body)),
        ConcatNode concat => new Parallel(concat.Branches.Select(b => (Element)Body(b.Nodes)).ToList(),
            new Box("merge", "concat", Describe.Show(concat.Shape))),
        ResidualNode residual => new Parallel(
            new List<Element> { Body(residual.Body), residual.Shortcut.Count == 0 ? new Box("op", "identity") : Body(residual.Shortcut) },
            new Box("add", residual.Scale is null ? "add" : $"add: {residual.Scale} x body + shortcut", Describe.Show(residual.Shape))),
        GateNode gate => new Parallel(
            new List<Element> { Body(gate.Branch), new Box("op", "identity") },
            new Box("add", "multiply: x * gate", Describe.Show(gate.Shape))),
        SelectNode select => new Frame("selective kernel",
            new Stack(new List<Element>
            {
                new Parallel(select.Paths.Select(p => (Element)Body(p.Nodes)).ToList(), new Box("merge", "sum of the paths")),
                Body(select.Attn),
                new Box("add", "softmax across paths; weighted sum", Describe.Show(select.Shape)),
            })),
        AuxNode aux => new Box("aux", $"aux head {aux.Name}: {aux.Head?.ClassName} on {aux.At}, loss x{aux.Weight.ToString(CultureInfo.InvariantCulture)}",
            aux.Head is null ? "" : $"{Describe.Num(aux.Head.Parameters)} params -> {aux.Head.Shape}"),
        _ => new Box("op", "?"),
    };

    private static Stack Body(IReadOnlyList<GraphNode> nodes) =>
        new(ModelGraph.Collapse(nodes).Select(g => Layout(g.Node, g.Count, g.Last)).ToList());

    private static Box OpBox(OpNode op)
    {
        var style = op.Kind switch
        {
            "conv" => "conv",
            "maxpool" or "avgpool" or "adaptive_avgpool" or "global_avgpool" => "pool",
            "linear" => "fc",
            _ => "op",
        };
        return new Box(style, Describe.Short(op), Describe.Show(op.Shape));
    }

    private static string BlockTitle(BlockNode block, int count, BlockNode? last)
    {
        var path = count > 1 && last is not null ? $"{block.Path}..{last.Path}" : block.Path;
        return $"{block.ClassName}{(count > 1 ? $" x{count}" : "")}  {path}  -> {block.Shape}";
    }

    private static void Line(StringBuilder svg, double x1, double y1, double x2, double y2, bool arrow) =>
        svg.AppendLine($"<line{(arrow ? " class=\"a\"" : "")} x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\"/>");

    private static string F(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    // Every label goes through one escape per format, after ShownText: a control character is invalid XML 1.0 and
    // would break the SVG; a quote or a backslash would end a DOT string; '#', quotes and '<' are Mermaid's
    // entity and HTML syntax. Whatever a name or a file name holds, the output stays well-formed.
    private static string Esc(string text) => SecurityElement.Escape(ShownText.Of(text)) ?? "";

    /// <summary>A DOT or Mermaid label of one or more lines, each escaped for the format.</summary>
    private static string Label(bool dot, params string[] lines) =>
        string.Join(dot ? "\\n" : "<br/>", lines.Select(line => dot ? DotText(line) : MermaidText(line)));

    private static string DotText(string text) => ShownText.Of(text).Replace("\\", "\\\\").Replace("\"", "\\\"");

    private static string MermaidText(string text) =>
        ShownText.Of(text).Replace("#", "#35;").Replace("\"", "#quot;").Replace("<", "#lt;");

    // ---- DOT and Mermaid ------------------------------------------------------------------------

    private sealed class EdgeGraph
    {
        public readonly StringBuilder Text = new();
        public int Next;
        public readonly bool Dot;

        public EdgeGraph(bool dot) => Dot = dot;

        public string Id() => "n" + (Next++).ToString(CultureInfo.InvariantCulture);
    }

    public static string Dot(ModelGraph graph)
    {
        var g = new EdgeGraph(dot: true);
        // The class name is a C# identifier (the name alphabet): a DOT ID as it is.
        g.Text.AppendLine($"digraph {graph.Model.ClassName} {{");
        g.Text.AppendLine("  rankdir=TB; node [shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\", fontname=\"monospace\", fontsize=10];");
        var input = g.Id();
        g.Text.AppendLine($"  {input} [label=\"input [{graph.Model.InChannels}, {graph.Model.Height}, {graph.Model.Width}]\", fillcolor=white];");
        var outs = Emit(g, graph.Nodes, new List<string> { input }, "  ");
        var output = g.Id();
        g.Text.AppendLine($"  {output} [label=\"{Label(true, $"output {graph.Model.OutputShape}")}\", fillcolor=white];");
        foreach (var o in outs)
            g.Text.AppendLine($"  {o} -> {output};");
        g.Text.AppendLine("}");
        return g.Text.ToString();
    }

    public static string Mermaid(ModelGraph graph)
    {
        var g = new EdgeGraph(dot: false);
        g.Text.AppendLine("flowchart TB");
        var input = g.Id();
        g.Text.AppendLine($"  {input}([\"input [{graph.Model.InChannels}, {graph.Model.Height}, {graph.Model.Width}]\"])");
        var outs = Emit(g, graph.Nodes, new List<string> { input }, "  ");
        var output = g.Id();
        g.Text.AppendLine($"  {output}([\"{Label(false, $"output {graph.Model.OutputShape}")}\"])");
        foreach (var o in outs)
            g.Text.AppendLine($"  {o} --> {output}");
        return g.Text.ToString();
    }

    private static void Node(EdgeGraph g, string id, string[] lines, string indent, string? fill = null)
    {
        if (g.Dot)
            g.Text.AppendLine($"{indent}{id} [label=\"{Label(true, lines)}\"{(fill is null ? "" : $", fillcolor=\"{fill}\"")}];");
        else
            g.Text.AppendLine($"{indent}{id}[\"{Label(false, lines)}\"]");
    }

    /// <summary>A label's lines: the first, and the second when there is one.</summary>
    private static string[] Lines(string first, object? second = null) => second is null ? [first] : [first, second.ToString() ?? ""];

    private static void Edge(EdgeGraph g, string from, string to, string indent, bool dashed = false) =>
        g.Text.AppendLine(g.Dot ? $"{indent}{from} -> {to}{(dashed ? " [style=dashed]" : "")};" : $"{indent}{from} {(dashed ? "-.->" : "-->")} {to}");

    private static List<string> Emit(EdgeGraph g, IReadOnlyList<GraphNode> nodes, List<string> inputs, string indent)
    {
        foreach (var (node, count, last) in ModelGraph.Collapse(nodes))
        {
            switch (node)
            {
                case OpNode op:
                {
                    var id = g.Id();
                    Node(g, id, Lines(Describe.Short(op), op.Shape), indent, op.Kind switch
                    {
                        "maxpool" or "avgpool" or "adaptive_avgpool" or "global_avgpool" => "#fdf1c7",
                        "linear" => "#f6d6e6",
                        "conv" => null,
                        _ => "#eeeeee",
                    });
                    foreach (var i in inputs) Edge(g, i, id, indent);
                    inputs = new List<string> { id };
                    break;
                }
                case BlockNode block:
                {
                    var cluster = g.Id();
                    var title = BlockTitle(block, count, last as BlockNode);
                    if (g.Dot)
                        g.Text.AppendLine($"{indent}subgraph cluster_{cluster} {{ label=\"{DotText(title)}\"; style=dashed; fontname=\"monospace\"; fontsize=10;");
                    else
                        g.Text.AppendLine($"{indent}subgraph {cluster}[\"{MermaidText(title)}\"]");
                    // Edges into a subgraph are written inside it; Mermaid and Graphviz accept that.
                    inputs = Emit(g, block.Body, inputs, indent + "  ");
                    g.Text.AppendLine(g.Dot ? $"{indent}}}" : $"{indent}end");
                    break;
                }
                case ConcatNode concat:
                {
                    var outs = new List<string>();
                    foreach (var branch in concat.Branches)
                        outs.AddRange(branch.Nodes.Count == 0 ? inputs : Emit(g, branch.Nodes, inputs, indent));
                    var id = g.Id();
                    Node(g, id, Lines("concat", concat.Shape), indent, "#d5f0d5");
                    foreach (var o in outs) Edge(g, o, id, indent);
                    inputs = new List<string> { id };
                    break;
                }
                case ResidualNode residual:
                {
                    var body = Emit(g, residual.Body, inputs, indent);
                    var shortcut = residual.Shortcut.Count == 0 ? inputs : Emit(g, residual.Shortcut, inputs, indent);
                    var id = g.Id();
                    Node(g, id, Lines(residual.Scale is null ? "add" : $"add: {residual.Scale} x body + shortcut"), indent, "#fbe0c8");
                    foreach (var o in body) Edge(g, o, id, indent);
                    foreach (var o in shortcut) Edge(g, o, id, indent, dashed: residual.Shortcut.Count == 0);
                    inputs = new List<string> { id };
                    break;
                }
                case GateNode gate:
                {
                    var weights = Emit(g, gate.Branch, inputs, indent);
                    var id = g.Id();
                    Node(g, id, Lines("multiply: x * gate"), indent, "#fbe0c8");
                    foreach (var o in weights) Edge(g, o, id, indent);
                    foreach (var o in inputs) Edge(g, o, id, indent, dashed: true);
                    inputs = new List<string> { id };
                    break;
                }
                case SelectNode select:
                {
                    var paths = new List<string>();
                    foreach (var path in select.Paths)
                        paths.AddRange(path.Nodes.Count == 0 ? inputs : Emit(g, path.Nodes, inputs, indent));
                    var sum = g.Id();
                    Node(g, sum, Lines("sum of the paths"), indent, "#d5f0d5");
                    foreach (var o in paths) Edge(g, o, sum, indent);
                    var weights = Emit(g, select.Attn, new List<string> { sum }, indent);
                    var id = g.Id();
                    Node(g, id, Lines("softmax across paths; weighted sum", select.Shape), indent, "#fbe0c8");
                    foreach (var o in weights) Edge(g, o, id, indent);
                    foreach (var o in paths) Edge(g, o, id, indent, dashed: true);
                    inputs = new List<string> { id };
                    break;
                }
                case AuxNode aux:
                {
                    var id = g.Id();
                    Node(g, id, Lines($"aux head {aux.Name}: {aux.Head?.ClassName}", $"loss x{aux.Weight.ToString(CultureInfo.InvariantCulture)} -> {aux.Head?.Shape}"), indent, "#ffffff");
                    foreach (var i in inputs) Edge(g, i, id, indent, dashed: true);
                    break;
                }
            }
        }

        return inputs;
    }
}
