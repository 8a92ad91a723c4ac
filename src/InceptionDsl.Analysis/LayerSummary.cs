using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using InceptionDsl.Semantics;

namespace InceptionDsl.Analysis;

/// <summary>A group of top-level layers: a block, a layer, or one child of an all-holding Sequential (timm's features.N).</summary>
public sealed record Stage(string Name, string Kind, ShapeIR Shape, long Parameters, long Flops, bool IsAux);

/// <summary>
/// The per-layer table of a model (like torchinfo) computed from the spec alone: every layer row of
/// the IR, stages with subtotals, and totals. FLOPs count a multiply-add as 2, convolutions and linear
/// layers only, batch 1 at the spec's input size; aux heads count in parameters, not in FLOPs (they
/// do not run in eval mode).
/// </summary>
public sealed class LayerSummary
{
    public const int Width = 100;

    public LayerSummary(ModelIR model)
    {
        Model = model;
        var auxFields = new HashSet<string>(model.Aux.Select(a => a.Field));
        var stages = new List<Stage>();
        foreach (var row in model.Layers.Where(r => r.Depth == 0))
        {
            bool isAux = auxFields.Contains(row.Path);
            var children = model.Layers.Where(r => r.Depth == 1 && r.Path.StartsWith(row.Path + ".", StringComparison.Ordinal)).ToList();
            // A Sequential holding blocks of several kinds (timm's `features`) is the whole network: its children are the stages.
            if (row.Kind == "seq" && children.Where(c => c.IsBlock).Select(c => c.Detail).Distinct().Count() > 1)
            {
                stages.AddRange(children.Select(c => new Stage(c.Path, c.IsBlock ? c.Detail : c.Kind, c.Shape, c.Parameters, c.Flops, isAux)));
                continue;
            }

            stages.Add(new Stage(row.Path, row.IsBlock ? row.Detail : row.Kind == "seq" ? StageKind(children) : row.Kind, row.Shape, row.Parameters, row.Flops, isAux));
        }

        Stages = stages;
        Parameters = stages.Sum(s => s.Parameters);
        ParametersWithoutAux = stages.Where(s => !s.IsAux).Sum(s => s.Parameters);
        Flops = stages.Where(s => !s.IsAux).Sum(s => s.Flops);
    }

    public ModelIR Model { get; }

    public IReadOnlyList<Stage> Stages { get; }

    /// <summary>All parameters, aux heads included (what the state_dict holds).</summary>
    public long Parameters { get; }

    public long ParametersWithoutAux { get; }

    /// <summary>FLOPs of one eval-mode forward pass at batch 1.</summary>
    public long Flops { get; }

    public string TotalLine => $"total params={Parameters.ToString(CultureInfo.InvariantCulture)} flops={Flops.ToString(CultureInfo.InvariantCulture)}";

    private static string StageKind(List<LayerRow> children)
    {
        var kinds = children.Select(c => c.IsBlock ? c.Detail : c.Kind).Distinct().ToList();
        return kinds.Count == 1 ? $"{children.Count} x {kinds[0]}" : "Sequential";
    }

    /// <summary>The stage a layer path belongs to.</summary>
    public string StageOf(string path)
    {
        foreach (var stage in Stages)
        {
            if (path == stage.Name || path.StartsWith(stage.Name + ".", StringComparison.Ordinal))
                return stage.Name;
        }

        return path.Split('.')[0];
    }

    /// <summary>
    /// The table, at most <paramref name="depth"/> levels deep (0 = stages only), fitting 100 columns. A layer path is
    /// never cut: one longer than its column takes a line of its own, its numbers on the next; <paramref name="wide"/>
    /// widens the column to the longest path instead (one line per layer, wider than 100 columns).
    /// </summary>
    public string ToText(int depth = 2, bool wide = false)
    {
        var sb = new StringBuilder();
        var m = Model;
        int pathWidth = wide ? Math.Max(PathWidth, m.Layers.Select(r => 2 * r.Depth + r.Path.Length).Append(0).Max()) : PathWidth;
        string Line(string path, string detail, string shape, string parameters, string flops)
        {
            if (path.Length <= pathWidth)
                return LayerSummary.Line(path, detail, shape, parameters, flops, pathWidth);
            // The whole state_dict path, then its row under it (the path's indent shows its depth).
            return path.TrimEnd() + Environment.NewLine + LayerSummary.Line("", detail, shape, parameters, flops, pathWidth);
        }

        sb.AppendLine($"{m.ClassName}: input [{m.InChannels}, {m.Height}, {m.Width}] -> {m.OutputShape}  ({Path.GetFileName(m.SpecPath)})");
        var rule = new string('-', Width + pathWidth - PathWidth);
        sb.AppendLine(rule);
        sb.AppendLine(Line("Layer (path)", "Kind / detail", "Output shape", "Params", "FLOPs"));
        sb.AppendLine(rule);
        var printedHolders = new HashSet<string>();
        foreach (var stage in Stages)
        {
            var stageRow = m.Layers.FirstOrDefault(r => r.Path == stage.Name);
            int stageDepth = stageRow?.Depth ?? 0;
            var rows = m.Layers.Where(r => r.Path == stage.Name || r.Path.StartsWith(stage.Name + ".", StringComparison.Ordinal)).ToList();
            // The holder of several stages (timm's features) is printed once, before its first stage.
            if (stageDepth > 0 && printedHolders.Add(stage.Name.Substring(0, stage.Name.LastIndexOf('.'))))
            {
                var holder = m.Layers.First(r => r.Path == stage.Name.Substring(0, stage.Name.LastIndexOf('.')));
                sb.AppendLine(Line(holder.Path, $"{holder.Kind} {holder.Detail}", holder.OutputShape, Num(holder.Parameters), Num(holder.Flops)));
            }

            foreach (var row in rows)
            {
                int level = row.Depth - stageDepth;
                if (level > depth)
                    continue;
                var indent = new string(' ', 2 * row.Depth);
                var detail = row.IsBlock ? $"{row.Detail} (block)" : row.Label;
                sb.AppendLine(Line(indent + row.Path, detail, row.OutputShape, Num(row.Parameters), Num(row.Flops)));
            }

            if (stage.IsAux)
                sb.AppendLine(Line("", "  (aux head: FLOPs not in total)", "", "", ""));
        }

        sb.AppendLine(rule);
        sb.AppendLine("Stages (consecutive equal stages summed)");
        for (int i = 0; i < Stages.Count;)
        {
            var stage = Stages[i];
            int j = i + 1;
            while (j < Stages.Count && Stages[j].Kind == stage.Kind && Stages[j].Shape == stage.Shape && Stages[j].Parameters == stage.Parameters && !stage.IsAux)
                j++;
            var group = Stages.Skip(i).Take(j - i).ToList();
            var name = group.Count == 1 ? stage.Name : $"{stage.Name}..{group[^1].Name.Split('.')[^1]}";
            var kind = (group.Count == 1 ? stage.Kind : $"{group.Count} x {stage.Kind}") + (stage.IsAux ? " (aux)" : "");
            sb.AppendLine(Line("  " + name, kind, stage.Shape.ToString(), Num(group.Sum(g => g.Parameters)), Num(group.Sum(g => g.Flops))));
            i = j;
        }
        sb.AppendLine(rule);
        if (m.Aux.Count > 0)
            sb.AppendLine($"params without aux heads={ParametersWithoutAux.ToString(CultureInfo.InvariantCulture)} ({Num(ParametersWithoutAux)})");
        sb.AppendLine($"params {Num(Parameters)}, GFLOPs {Flops / 1e9:F2} (batch 1, multiply-add = 2, conv and linear)");
        sb.AppendLine(TotalLine);
        return sb.ToString();
    }

    public JsonObject ToJson()
    {
        var m = Model;
        var rows = new JsonArray();
        foreach (var row in m.Layers)
        {
            rows.Add(new JsonObject
            {
                ["path"] = row.Path, ["stage"] = StageOf(row.Path), ["kind"] = row.Kind, ["detail"] = row.Detail, ["depth"] = row.Depth,
                ["output_shape"] = row.OutputShape, ["params"] = row.Parameters, ["flops"] = row.Flops, ["block"] = row.IsBlock,
            });
        }

        var stages = new JsonArray();
        foreach (var s in Stages)
            stages.Add(new JsonObject { ["name"] = s.Name, ["kind"] = s.Kind, ["output_shape"] = s.Shape.ToString(), ["params"] = s.Parameters, ["flops"] = s.Flops, ["aux"] = s.IsAux });
        return new JsonObject
        {
            ["model"] = m.ClassName,
            ["spec"] = Path.GetFileName(m.SpecPath),
            ["input"] = new JsonArray(m.InChannels, m.Height, m.Width),
            ["output_shape"] = m.OutputShape,
            ["layers"] = rows,
            ["stages"] = stages,
            ["params"] = Parameters,
            ["params_without_aux"] = ParametersWithoutAux,
            ["flops"] = Flops,
        };
    }

    public static string Json(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static string Num(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The path column's width in the 100-column table.</summary>
    public const int PathWidth = 27;

    /// <summary>One table line: path 27 (or <paramref name="pathWidth"/>), detail 30, shape 14, params 11, FLOPs 14 columns = 100.</summary>
    public static string Line(string path, string detail, string shape, string parameters, string flops, int pathWidth = PathWidth) =>
        $"{Fit(path, pathWidth)} {Fit(detail, 30)} {Fit(shape, 14)} {Fit(parameters, 11, right: true)} {Fit(flops, 14, right: true)}".TrimEnd();

    public static string Fit(string text, int width, bool right = false)
    {
        if (text.Length > width)
            text = text.Substring(0, width - 1) + "~";
        return right ? text.PadLeft(width) : text.PadRight(width);
    }
}
