using InceptionDsl.Text;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace InceptionDsl.Analysis;

/// <summary>One row of a diff by grid: what each model does at one spatial resolution.</summary>
public sealed record GridRow(string Grid, string A, string B, long ParamsA, long ParamsB, long FlopsA, long FlopsB);

/// <summary>A block kind present in both models whose structure differs, branch by branch.</summary>
public sealed record BlockChange(string NameA, string NameB, string Role, int CountA, int CountB, IReadOnlyList<(string Branch, string A, string B)> Branches, long ParamsA, long ParamsB);

/// <summary>A block kind of a model: its first instance, how often it is used, and its role (grid, reduction).</summary>
public sealed record BlockKind(string Name, BlockNode First, int Count, string Role);

/// <summary>
/// Structural differences between two models: totals, the stem, what runs at each grid size (blocks
/// and repeat counts, parameter and FLOP deltas), block kinds added, removed or changed (branches,
/// channels, kernels), residual connections and heads.
/// </summary>
public sealed class ModelDiff
{
    public ModelDiff(ModelGraph a, ModelGraph b)
    {
        A = a;
        B = b;
        SummaryA = new LayerSummary(a.Model);
        SummaryB = new LayerSummary(b.Model);
        var gridsA = ByGrid(a);
        var gridsB = ByGrid(b);
        var order = gridsA.Select(g => g.Grid).ToList();
        foreach (var g in gridsB.Select(g => g.Grid))
        {
            if (!order.Contains(g))
            {
                // Keep grids in decreasing size: insert before the first smaller one.
                int index = order.FindIndex(o => (o?.Area ?? 0) < (g?.Area ?? 0));
                order.Insert(index < 0 ? order.Count : index, g);
            }
        }

        Grids = order.Select(g =>
        {
            var ga = gridsA.FirstOrDefault(x => x.Grid == g);
            var gb = gridsB.FirstOrDefault(x => x.Grid == g);
            return new GridRow(g?.ToString() ?? "", ga?.Text ?? "-", gb?.Text ?? "-", ga?.Params ?? 0, gb?.Params ?? 0, ga?.Flops ?? 0, gb?.Flops ?? 0);
        }).ToList();

        var kindsA = Kinds(a);
        var kindsB = Kinds(b);
        BlocksA = kindsA.ToDictionary(k => k.Name, k => k.First);
        BlocksB = kindsB.ToDictionary(k => k.Name, k => k.First);
        var changed = new List<BlockChange>();
        var same = new List<string>();
        var pairedA = new HashSet<string>();
        var pairedB = new HashSet<string>();
        // Pair block kinds by role (output grid, whether they reduce it); within a role the same
        // name first, then the most repeated with the most repeated.
        foreach (var role in kindsA.Select(k => k.Role).Concat(kindsB.Select(k => k.Role)).Distinct())
        {
            var xs = kindsA.Where(k => k.Role == role).OrderByDescending(k => k.Count).ToList();
            var ys = kindsB.Where(k => k.Role == role).OrderByDescending(k => k.Count).ToList();
            var pairs = new List<(BlockKind, BlockKind)>();
            foreach (var x in xs.ToList())
            {
                var y = ys.FirstOrDefault(k => k.Name == x.Name);
                if (y is null) continue;
                pairs.Add((x, y));
                xs.Remove(x);
                ys.Remove(y);
            }

            pairs.AddRange(xs.Zip(ys));
            foreach (var (x, y) in pairs)
            {
                pairedA.Add(x.Name);
                pairedB.Add(y.Name);
                if (x.Name == y.Name && ModelGraph.Signature(x.First) == ModelGraph.Signature(y.First))
                {
                    same.Add(x.Name);
                    continue;
                }

                var rows = PairBranches(Branches(x.First), Branches(y.First));
                changed.Add(new BlockChange(x.Name, y.Name, role, x.Count, y.Count, rows, x.First.Parameters, y.First.Parameters));
            }
        }

        Removed = kindsA.Where(k => !pairedA.Contains(k.Name)).Select(k => k.Name).ToList();
        Added = kindsB.Where(k => !pairedB.Contains(k.Name)).Select(k => k.Name).ToList();
        Same = same;
        Changed = changed;
    }

    public ModelGraph A { get; }
    public ModelGraph B { get; }
    public LayerSummary SummaryA { get; }
    public LayerSummary SummaryB { get; }
    public IReadOnlyList<GridRow> Grids { get; }
    public IReadOnlyList<string> Added { get; }
    public IReadOnlyList<string> Removed { get; }
    public IReadOnlyList<BlockChange> Changed { get; }
    public IReadOnlyList<string> Same { get; }
    public IReadOnlyDictionary<string, BlockNode> BlocksA { get; }
    public IReadOnlyDictionary<string, BlockNode> BlocksB { get; }

    private sealed record GridGroup(GridSize? Grid, string Text, long Params, long Flops);

    /// <summary>Top-level nodes grouped by the grid of their output, in order.</summary>
    private static List<GridGroup> ByGrid(ModelGraph graph)
    {
        var result = new List<GridGroup>();
        var nodes = graph.Nodes.Where(n => n is not AuxNode).ToList();
        GridSize? grid = null;
        var members = new List<GraphNode>();
        void Flush()
        {
            if (members.Count == 0) return;
            // Consecutive blocks of one kind and width count as one entry, even where inner widths differ.
            var labels = new List<(string Label, int Count)>();
            foreach (var label in members.Select(Label))
            {
                if (labels.Count > 0 && labels[^1].Label == label && label.Contains('['))
                    labels[^1] = (label, labels[^1].Count + 1);
                else
                    labels.Add((label, 1));
            }

            var text = string.Join(", ", labels.Select(l => (l.Count > 1 ? $"{l.Count} x " : "") + l.Label));
            long p = members.Sum(n => Describe.Cost(n).Params), f = members.Sum(n => Describe.Cost(n).Flops);
            result.Add(new GridGroup(grid, text, p, f));
            members.Clear();
        }

        foreach (var node in nodes)
        {
            var g = GridSize.Of(Describe.ShapeOf(node)) ?? grid;
            if (g != grid) Flush();
            grid = g;
            members.Add(node);
        }

        Flush();
        // A grid seen twice (not normally) is merged.
        return result.GroupBy(r => r.Grid).Select(gr => new GridGroup(gr.Key, string.Join(", ", gr.Select(x => x.Text)), gr.Sum(x => x.Params), gr.Sum(x => x.Flops))).ToList();
    }

    private static string Label(GraphNode node) => node switch
    {
        BlockNode b => $"{b.ClassName} [{b.Shape.Channels}]",
        OpNode op => Describe.Short(op),
        _ => Describe.Text(node),
    };

    /// <summary>Block kinds in order of first use, with their role: "35x35" or "35x35 -> 17x17" (a reduction).</summary>
    public static List<BlockKind> Kinds(ModelGraph graph)
    {
        var kinds = new List<BlockKind>();
        var grid = new GridSize(graph.Model.Height, graph.Model.Width, false);
        foreach (var node in graph.Nodes.Where(n => n is not AuxNode))
        {
            var output = GridSize.Of(Describe.ShapeOf(node));
            if (node is BlockNode block)
            {
                int index = kinds.FindIndex(k => k.Name == block.ClassName);
                if (index >= 0)
                    kinds[index] = kinds[index] with { Count = kinds[index].Count + 1 };
                else
                    kinds.Add(new BlockKind(block.ClassName, block, 1, output is null || output == grid ? grid.ToString() : $"{grid} -> {output}"));
            }

            if (output is { } known)
                grid = known;
        }

        return kinds;
    }

    private static Dictionary<string, BlockNode> FirstBlocks(ModelGraph graph)
    {
        var result = new Dictionary<string, BlockNode>();
        foreach (var block in graph.Nodes.Where(n => n is not AuxNode).OfType<BlockNode>())
            result.TryAdd(block.ClassName, block);
        return result;
    }

    /// <summary>Concat branches paired by position, then the steps around them (residual add, activation) by position.</summary>
    private static List<(string, string, string)> PairBranches(List<(string Name, string Text)> a, List<(string Name, string Text)> b)
    {
        var rows = new List<(string, string, string)>();
        bool IsBranch((string Name, string Text) e) => e.Name is not ("then" or "add");
        void Pair(List<(string Name, string Text)> xs, List<(string Name, string Text)> ys)
        {
            for (int i = 0; i < Math.Max(xs.Count, ys.Count); i++)
                rows.Add((i < ys.Count ? ys[i].Name : xs[i].Name, i < xs.Count ? xs[i].Text : "-", i < ys.Count ? ys[i].Text : "-"));
        }

        Pair(a.Where(IsBranch).ToList(), b.Where(IsBranch).ToList());
        Pair(a.Where(e => !IsBranch(e)).ToList(), b.Where(e => !IsBranch(e)).ToList());
        return rows;
    }

    /// <summary>A block's branches as text (the body of a residual counts as its branches).</summary>
    public static List<(string Name, string Text)> Branches(BlockNode block)
    {
        var result = new List<(string, string)>();
        foreach (var node in block.Body)
        {
            switch (node)
            {
                case ConcatNode c:
                    result.AddRange(c.Branches.Select(b => (b.Name, Describe.Chain(b.Nodes))));
                    break;
                case ResidualNode r:
                    foreach (var inner in r.Body)
                    {
                        if (inner is ConcatNode rc)
                            result.AddRange(rc.Branches.Select(b => (b.Name, Describe.Chain(b.Nodes))));
                        else
                            result.Add(("then", Describe.Text(inner)));
                    }

                    result.Add(("add", $"{(r.Scale is null ? "" : r.Scale + " * ")}body + {(r.Shortcut.Count == 0 ? "identity" : Describe.Chain(r.Shortcut))}"));
                    break;
                case GateNode g:
                    result.Add(("gate", "x * " + Describe.Chain(g.Branch)));
                    break;
                case SelectNode s:
                    result.AddRange(s.Paths.Select(p => (p.Name, Describe.Chain(p.Nodes))));
                    result.Add(("attn", "softmax across paths of " + Describe.Chain(s.Attn)));
                    break;
                default:
                    result.Add(("then", Describe.Text(node)));
                    break;
            }
        }

        return result;
    }

    private static List<string> Residuals(ModelGraph graph) =>
        graph.Nodes.OfType<BlockNode>().Where(b => b.Body.Any(n => n is ResidualNode))
            .GroupBy(b => (b.ClassName, b.Body.OfType<ResidualNode>().First().Scale))
            .Select(g => $"{g.Count()} x {g.Key.ClassName}" + (g.Key.Scale is { } s ? $" (scale {s})" : "")).ToList();

    public string ToText()
    {
        var sb = new StringBuilder();
        var ma = A.Model;
        var mb = B.Model;
        string an = ma.ClassName, bn = mb.ClassName;
        sb.AppendLine($"diff {an} -> {bn}");
        sb.AppendLine($"  A: {an} ({ShownText.Of(Path.GetFileName(ma.SpecPath))})");
        sb.AppendLine($"  B: {bn} ({ShownText.Of(Path.GetFileName(mb.SpecPath))})");
        sb.AppendLine();
        sb.AppendLine($"{"",-22} {LayerSummary.Fit(an, 20)} {LayerSummary.Fit(bn, 20)} {"change",16}");
        void Row(string what, string x, string y, string change) => sb.AppendLine($"{what,-22} {LayerSummary.Fit(x, 20)} {LayerSummary.Fit(y, 20)} {change,16}".TrimEnd());
        Row("input", $"[{ma.InChannels}, {ma.Height}, {ma.Width}]", $"[{mb.InChannels}, {mb.Height}, {mb.Width}]", "");
        Row("parameters (no aux)", Describe.Num(SummaryA.ParametersWithoutAux), Describe.Num(SummaryB.ParametersWithoutAux), Describe.Signed(SummaryB.ParametersWithoutAux - SummaryA.ParametersWithoutAux));
        Row("GFLOPs", (SummaryA.Flops / 1e9).ToString("F2", CultureInfo.InvariantCulture), (SummaryB.Flops / 1e9).ToString("F2", CultureInfo.InvariantCulture), Describe.SignedG(SummaryB.Flops - SummaryA.Flops));
        Row("block kinds", BlocksA.Count.ToString(CultureInfo.InvariantCulture), BlocksB.Count.ToString(CultureInfo.InvariantCulture), "");
        Row("blocks", A.Nodes.OfType<BlockNode>().Count().ToString(CultureInfo.InvariantCulture), B.Nodes.OfType<BlockNode>().Count().ToString(CultureInfo.InvariantCulture), "");
        Row("aux heads", ma.Aux.Count == 0 ? "none" : string.Join(", ", ma.Aux.Select(x => x.Name)), mb.Aux.Count == 0 ? "none" : string.Join(", ", mb.Aux.Select(x => x.Name)), "");
        Row("top-1 / top-5", Accuracy(ma.Metadata), Accuracy(mb.Metadata), "");
        sb.AppendLine();

        var resA = Residuals(A);
        var resB = Residuals(B);
        if (resA.Count > 0 || resB.Count > 0)
        {
            sb.AppendLine("Residual connections:");
            sb.AppendLine(Explainer.Wrap($"{an}: {(resA.Count == 0 ? "none" : string.Join(", ", resA))}", "  "));
            sb.AppendLine(Explainer.Wrap($"{bn}: {(resB.Count == 0 ? "none" : string.Join(", ", resB))}", "  "));
            sb.AppendLine();
        }

        sb.AppendLine("By grid (what runs at each spatial size; params and GFLOPs change A -> B):");
        foreach (var g in Grids)
        {
            sb.AppendLine($"  {g.Grid,-9} params {Describe.Signed(g.ParamsB - g.ParamsA),12}   GFLOPs {Describe.SignedG(g.FlopsB - g.FlopsA)}");
            if (g.A == g.B)
            {
                sb.AppendLine(Explainer.Wrap("same: " + g.A, "    "));
            }
            else
            {
                sb.AppendLine(Explainer.Wrap($"{an}: {g.A}", "    "));
                sb.AppendLine(Explainer.Wrap($"{bn}: {g.B}", "    "));
            }
        }

        sb.AppendLine();
        if (Removed.Count > 0)
        {
            sb.AppendLine($"Block kinds only in {an} (removed; nothing in {bn} has their role):");
            foreach (var name in Removed)
                Kind(sb, BlocksA[name], Kinds(A));
        }

        if (Added.Count > 0)
        {
            sb.AppendLine($"Block kinds only in {bn} (added):");
            foreach (var name in Added)
                Kind(sb, BlocksB[name], Kinds(B));
        }

        if (Changed.Count > 0)
        {
            sb.AppendLine("Block kinds in the same role (grid, or grid reduction), changed; branch by branch:");
            foreach (var change in Changed)
            {
                var names = change.NameA == change.NameB ? change.NameA : $"{change.NameA} -> {change.NameB}";
                sb.AppendLine(Explainer.Wrap($"{names} at {change.Role}: x{change.CountA} -> x{change.CountB}, params per block " +
                    $"{Describe.Num(change.ParamsA)} -> {Describe.Num(change.ParamsB)} ({Describe.Signed(change.ParamsB - change.ParamsA)})", "  "));
                foreach (var (branch, x, y) in change.Branches)
                {
                    if (x == y)
                    {
                        sb.AppendLine(Explainer.Wrap($"{branch}: same ({x})", "    "));
                        continue;
                    }

                    sb.AppendLine($"    {branch}:");
                    if (x != "-") sb.AppendLine(Explainer.Wrap($"- {x}", "      "));
                    if (y != "-") sb.AppendLine(Explainer.Wrap($"+ {y}", "      "));
                }
            }
        }

        if (Same.Count > 0)
            sb.AppendLine(Explainer.Wrap("Block kinds in both, unchanged: " + string.Join(", ", Same), ""));
        sb.AppendLine($"total params (no aux) {Describe.Signed(SummaryB.ParametersWithoutAux - SummaryA.ParametersWithoutAux)} flops {Describe.Signed(SummaryB.Flops - SummaryA.Flops)}");
        return sb.ToString();
    }

    private static void Kind(StringBuilder sb, BlockNode block, IEnumerable<BlockKind> kinds)
    {
        var kind = kinds.First(k => k.Name == block.ClassName);
        sb.AppendLine(Explainer.Wrap($"{block.ClassName} x{kind.Count} at {kind.Role} (first at {block.Path}, -> {block.Shape}, {Describe.Num(block.Parameters)} params)", "  "));
        foreach (var (name, text) in Branches(block))
            sb.AppendLine(Explainer.Wrap($"{name}: {text}", "    "));
    }

    private static string Accuracy(InceptionDsl.Syntax.ModelMetadata md) =>
        md.Top1 is null ? "-" : $"{md.Top1.Value.ToString(CultureInfo.InvariantCulture)} / {md.Top5?.ToString(CultureInfo.InvariantCulture) ?? "-"}";

    public JsonObject ToJson()
    {
        JsonObject Side(ModelGraph g, LayerSummary s) => new()
        {
            ["model"] = g.Model.ClassName, ["spec"] = Path.GetFileName(g.Model.SpecPath), ["params"] = s.Parameters,
            ["params_without_aux"] = s.ParametersWithoutAux, ["flops"] = s.Flops,
            ["block_kinds"] = new JsonArray(FirstBlocks(g).Keys.Select(k => (JsonNode)JsonValue.Create(k)!).ToArray()),
            ["residuals"] = new JsonArray(Residuals(g).Select(r => (JsonNode)JsonValue.Create(r)!).ToArray()),
        };
        var grids = new JsonArray();
        foreach (var g in Grids)
            grids.Add(new JsonObject { ["grid"] = g.Grid, ["a"] = g.A, ["b"] = g.B, ["params_delta"] = g.ParamsB - g.ParamsA, ["flops_delta"] = g.FlopsB - g.FlopsA });
        var changed = new JsonArray();
        foreach (var c in Changed)
        {
            var branches = new JsonArray();
            foreach (var (branch, x, y) in c.Branches)
                branches.Add(new JsonObject { ["branch"] = branch, ["a"] = x, ["b"] = y, ["same"] = x == y });
            changed.Add(new JsonObject { ["block_a"] = c.NameA, ["block_b"] = c.NameB, ["role"] = c.Role, ["count_a"] = c.CountA, ["count_b"] = c.CountB, ["params_a"] = c.ParamsA, ["params_b"] = c.ParamsB, ["branches"] = branches });
        }

        return new JsonObject
        {
            ["a"] = Side(A, SummaryA),
            ["b"] = Side(B, SummaryB),
            ["params_delta"] = SummaryB.Parameters - SummaryA.Parameters,
            ["params_without_aux_delta"] = SummaryB.ParametersWithoutAux - SummaryA.ParametersWithoutAux,
            ["flops_delta"] = SummaryB.Flops - SummaryA.Flops,
            ["grids"] = grids,
            ["blocks_added"] = new JsonArray(Added.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            ["blocks_removed"] = new JsonArray(Removed.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
            ["blocks_changed"] = changed,
        };
    }
}
