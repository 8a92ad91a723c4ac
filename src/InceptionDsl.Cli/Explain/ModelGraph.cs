using System.Text.RegularExpressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Cli.Explain;

/// <summary>A node of a model's block graph, built from the IR's forward steps and layer rows.</summary>
public abstract record GraphNode;

/// <summary>One layer: a conv unit, a pool, a linear layer, an activation.</summary>
/// <param name="Path">state_dict path, or null for a parameter-free functional op.</param>
/// <param name="Kind">conv, bn, relu, maxpool, avgpool, linear, ...</param>
/// <param name="Label">e.g. "conv-bn-relu 3x3/2, 96".</param>
/// <param name="Shape">output shape, null when not known.</param>
public sealed record OpNode(string? Path, string Kind, string Label, ShapeIR? Shape, long Parameters, long Flops) : GraphNode;

/// <summary>An instance of a block class, with its body.</summary>
public sealed record BlockNode(string Path, string ClassName, string? Doc, ShapeIR Shape, long Parameters, long Flops, IReadOnlyList<GraphNode> Body) : GraphNode;

/// <summary>Parallel branches concatenated on channels.</summary>
public sealed record ConcatNode(IReadOnlyList<BranchNode> Branches, ShapeIR? Shape) : GraphNode;

public sealed record BranchNode(string Name, IReadOnlyList<GraphNode> Nodes);

/// <summary><c>body(x) * scale + shortcut(x)</c>; an empty shortcut is the identity.</summary>
public sealed record ResidualNode(IReadOnlyList<GraphNode> Body, IReadOnlyList<GraphNode> Shortcut, string? Scale, ShapeIR? Shape) : GraphNode;

/// <summary>An auxiliary head reading the trunk at this point.</summary>
public sealed record AuxNode(string Name, string At, double Weight, BlockNode? Head) : GraphNode;

/// <summary>The block graph of a model, its top-level nodes in forward order.</summary>
public sealed record ModelGraph(ModelIR Model, IReadOnlyList<GraphNode> Nodes)
{
    public static ModelGraph Build(ModelIR model) =>
        new(model, new Builder(model).Steps(model.Body.Forward, "", model.Body, null, new ShapeIR(model.InChannels, model.Height, model.Width, false)).Nodes);

    private sealed class Builder(ModelIR model)
    {
        private readonly Dictionary<string, LayerRow> _rows = model.Layers.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.First());
        private readonly Dictionary<string, ClassIR> _classes = model.Blocks.ToDictionary(b => b.Name);
        private readonly string _classCount = model.Classes.ToString(System.Globalization.CultureInfo.InvariantCulture);

        private string Concrete(string label) => label.Replace("numClasses", _classCount);

        /// <summary>
        /// The nodes of <paramref name="steps"/> run on <paramref name="input"/>, with the shape each
        /// produces, and the shape that leaves the last. Layers take their shape from their row; the
        /// model's own forward steps carry exact shapes; steps of a block class carry its first use's,
        /// so there parameter-free ops and concats are worked out from this instance's input. A shape
        /// that cannot be worked out stays unknown (null) until the next layer's row.
        /// </summary>
        public (List<GraphNode> Nodes, ShapeIR? Output) Steps(IEnumerable<StepIR> steps, string prefix, ClassIR owner, string? ctorArgs, ShapeIR? input)
        {
            var nodes = new List<GraphNode>();
            var current = input;
            foreach (var step in steps)
            {
                var exact = prefix.Length == 0 ? step.Output : null;
                switch (step)
                {
                    case ModuleStep module:
                        var member = owner.Members.FirstOrDefault(m => m.Field == module.Field);
                        var path = prefix + (member?.StateName ?? module.Field);
                        if (_rows.TryGetValue(path, out var row))
                        {
                            var (layers, output) = Expand(row, member?.Init ?? "", current);
                            nodes.AddRange(layers);
                            current = output;
                        }

                        break;
                    case FunctionalStep functional:
                        var label = LabelOf(functional.Comment);
                        var op = new OpNode(null, KindOf(label), Concrete(label), null, 0, 0);
                        current = exact ?? (current is null ? null : ShapeFill.Infer(op, current));
                        nodes.Add(op with { Shape = current });
                        break;
                    case ConcatStep concat:
                        var branches = new List<BranchNode>();
                        var ends = new List<ShapeIR?>();
                        foreach (var branch in concat.Branches)
                        {
                            var (branchNodes, end) = Steps(branch.Steps, prefix, owner, ctorArgs, current);
                            branches.Add(new BranchNode(branch.Hint, branchNodes));
                            ends.Add(end);
                        }

                        current = exact ?? ShapeFill.Concat(ends);
                        nodes.Add(new ConcatNode(branches, current));
                        break;
                    case ResidualStep residual:
                        var scale = residual.Scale;
                        if (scale is not null && ctorArgs is not null && Regex.Match(ctorArgs, $@"\b{Regex.Escape(scale)}: ([^,()]+)") is { Success: true } bound)
                            scale = bound.Groups[1].Value.Trim();
                        else if (scale is not null && owner.Params.FirstOrDefault(p => p.Name == scale) is { Default: { } fallback })
                            scale = fallback;  // not passed: the parameter's default
                        var (body, bodyOutput) = Steps(residual.Body, prefix, owner, ctorArgs, current);
                        var (shortcut, _) = Steps(residual.Shortcut, prefix, owner, ctorArgs, current);
                        current = exact ?? bodyOutput;
                        nodes.Add(new ResidualNode(body, shortcut, scale, current));
                        break;
                    case AuxTapStep tap:
                        var aux = model.Aux.FirstOrDefault(a => a.Field == tap.AuxField);
                        if (aux is null)
                            break;
                        var head = _rows.TryGetValue(aux.Field, out var auxRow) ? Expand(auxRow, aux.Init, current).Nodes.OfType<BlockNode>().FirstOrDefault() : null;
                        nodes.Add(new AuxNode(aux.Name, aux.At, aux.Weight, head));
                        break;
                }
            }

            return (nodes, current);
        }

        private (List<GraphNode> Nodes, ShapeIR? Output) Expand(LayerRow row, string init, ShapeIR? input)
        {
            if (row.IsBlock && _classes.TryGetValue(row.Detail, out var cls))
            {
                var (body, _) = Steps(cls.Forward, row.Path + ".", cls, CtorArgs(init, row.Detail), input);
                // The block's last concat (or residual) produces its output.
                if (body.Count > 0 && body[^1] is ConcatNode lastConcat)
                    body[^1] = lastConcat with { Shape = row.Shape };
                else if (body.Count > 0 && body[^1] is ResidualNode lastResidual)
                    body[^1] = lastResidual with { Shape = row.Shape };
                return (new List<GraphNode> { new BlockNode(row.Path, cls.Name, cls.Doc, row.Shape, row.Parameters, row.Flops, body) }, row.Shape);
            }

            if (row.Kind == "seq")
            {
                var children = model.Layers.Where(r => r.Depth == row.Depth + 1 && r.Path.StartsWith(row.Path + ".", StringComparison.Ordinal)).ToList();
                var result = new List<GraphNode>();
                var current = input;
                foreach (var child in children)
                {
                    var index = child.Path.Substring(row.Path.Length + 1);
                    var (nodes, output) = Expand(child, ChildInit(init, index), current);
                    result.AddRange(nodes);
                    current = output;
                }

                return (result, current);
            }

            return (new List<GraphNode> { new OpNode(row.Path, row.Kind, Concrete(row.Detail), row.Shape, row.Parameters, row.Flops) }, row.Shape);
        }

        /// <summary>The arguments of <c>new Class(...)</c> in a member initializer.</summary>
        private static string? CtorArgs(string init, string className)
        {
            var start = init.IndexOf("new " + className + "(", StringComparison.Ordinal);
            return start < 0 ? null : Balanced(init, start + className.Length + 5);
        }

        /// <summary>The initializer of child <paramref name="name"/> of a Sequential initializer.</summary>
        private static string ChildInit(string init, string name)
        {
            var start = init.IndexOf($"(\"{name}\", ", StringComparison.Ordinal);
            return start < 0 ? "" : Balanced(init, start + 1);
        }

        private static string Balanced(string text, int start)
        {
            int depth = 1, i = start;
            for (; i < text.Length && depth > 0; i++)
            {
                if (text[i] == '(') depth++;
                else if (text[i] == ')') depth--;
            }

            return text.Substring(start, Math.Max(0, i - 1 - start));
        }
    }

    /// <summary>The label of a step comment: "maxpool: max pool 3x3/2 -> [64, 56, 56]" -> "max pool 3x3/2".</summary>
    internal static string LabelOf(string comment)
    {
        var colon = comment.IndexOf(": ", StringComparison.Ordinal);
        var rest = colon < 0 ? comment : comment.Substring(colon + 2);
        var arrow = rest.LastIndexOf(" -> ", StringComparison.Ordinal);
        return arrow < 0 ? rest : rest.Substring(0, arrow);
    }

    /// <summary>The kind of a layer from its label (functional ops carry only the label).</summary>
    internal static string KindOf(string label) => label switch
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

    /// <summary>Every node below <paramref name="nodes"/>, depth first.</summary>
    public static IEnumerable<GraphNode> Descendants(IEnumerable<GraphNode> nodes)
    {
        foreach (var node in nodes)
        {
            yield return node;
            var children = node switch
            {
                BlockNode b => b.Body,
                ConcatNode c => c.Branches.SelectMany(b => b.Nodes).ToList(),
                ResidualNode r => r.Body.Concat(r.Shortcut).ToList(),
                _ => (IReadOnlyList<GraphNode>)Array.Empty<GraphNode>(),
            };
            foreach (var child in Descendants(children))
                yield return child;
        }
    }

    /// <summary>A short structural signature of a node (for collapsing repeats and for diff).</summary>
    public static string Signature(GraphNode node) => node switch
    {
        OpNode op => op.Label,
        BlockNode b => b.ClassName + "(" + string.Join(";", b.Body.Select(Signature)) + ")",
        ConcatNode c => "concat[" + string.Join("|", c.Branches.Select(b => string.Join(">", b.Nodes.Select(Signature)))) + "]",
        ResidualNode r => $"res[{string.Join(">", r.Body.Select(Signature))}|{string.Join(">", r.Shortcut.Select(Signature))}|{r.Scale}]",
        AuxNode a => "aux " + a.Name,
        _ => "",
    };

    /// <summary>Consecutive equal blocks collapsed into (node, count) groups.</summary>
    public static List<(GraphNode Node, int Count, GraphNode Last)> Collapse(IReadOnlyList<GraphNode> nodes)
    {
        var groups = new List<(GraphNode, int, GraphNode)>();
        foreach (var node in nodes)
        {
            if (groups.Count > 0 && node is BlockNode b && groups[^1].Item1 is BlockNode prev && prev.ClassName == b.ClassName
                && Signature(prev) == Signature(b) && prev.Shape == b.Shape)
            {
                var (first, count, _) = groups[^1];
                groups[^1] = (first, count + 1, node);
            }
            else
            {
                groups.Add((node, 1, node));
            }
        }

        return groups;
    }
}
