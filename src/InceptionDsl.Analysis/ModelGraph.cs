using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Analysis;

/// <summary>A node of a model's block graph, built from the IR's forward steps, layer rows and block instances.</summary>
public abstract record GraphNode;

/// <summary>One layer: a conv unit, a pool, a linear layer, an activation.</summary>
/// <param name="Path">state_dict path, or null for a parameter-free functional op.</param>
/// <param name="Kind">conv, bn, relu, maxpool, avgpool, linear, ...</param>
/// <param name="Label">e.g. "conv-bn-relu 3x3/2, 96".</param>
/// <param name="Shape">output shape, null when not known.</param>
public sealed record OpNode(string? Path, string Kind, string Label, ShapeIR? Shape, long Parameters, long Flops) : GraphNode
{
    /// <summary>A conv's or pool's kernel, stride, padding, filters and groups for this use; null for other ops.</summary>
    public LayerGeometry? Geometry { get; init; }
}

/// <summary>An instance of a block class, with its body.</summary>
public sealed record BlockNode(string Path, string ClassName, string? Doc, ShapeIR Shape, long Parameters, long Flops, IReadOnlyList<GraphNode> Body) : GraphNode;

/// <summary>Parallel branches concatenated on channels.</summary>
public sealed record ConcatNode(IReadOnlyList<BranchNode> Branches, ShapeIR? Shape) : GraphNode;

public sealed record BranchNode(string Name, IReadOnlyList<GraphNode> Nodes);

/// <summary><c>body(x) * scale + shortcut(x)</c>; an empty shortcut is the identity.</summary>
public sealed record ResidualNode(IReadOnlyList<GraphNode> Body, IReadOnlyList<GraphNode> Shortcut, string? Scale, ShapeIR? Shape) : GraphNode
{
    /// <summary>Whether the shortcut registers (and computes) before the body (timm's Xception).</summary>
    public bool ShortcutFirst { get; init; }
}

/// <summary><c>x * branch(x)</c>: the branch's output (one weight per channel, or per position) scales the input.</summary>
public sealed record GateNode(IReadOnlyList<GraphNode> Branch, ShapeIR? Shape) : GraphNode;

/// <summary>
/// Selective kernels: each path (its modules) reads the input or, with <paramref name="Split"/>, its
/// channel slice; <paramref name="Attn"/> turns their sum into per-path, per-channel weights
/// softmaxed across the paths; the output is the weighted sum of the paths.
/// </summary>
public sealed record SelectNode(IReadOnlyList<BranchNode> Paths, IReadOnlyList<GraphNode> Attn, bool Split, ShapeIR? Shape) : GraphNode;

/// <summary>An auxiliary head reading the trunk at this point.</summary>
public sealed record AuxNode(string Name, string At, double Weight, BlockNode? Head) : GraphNode;

/// <summary>The block graph of a model, its top-level nodes in forward order.</summary>
public sealed record ModelGraph(ModelIR Model, IReadOnlyList<GraphNode> Nodes)
{
    public static ModelGraph Build(ModelIR model) =>
        new(model, new Builder(model).Steps(model.Body.Forward, "", model.Body, Outputs.Exact));

    /// <summary>
    /// Where the shapes, labels and residual scales of a forward's steps come from: the model's own
    /// steps carry exact ones; a block instance's are in its <see cref="InstanceIR"/>, one output
    /// (and functional label) per step of the class in <see cref="StepWalk.PostOrder"/> order and one
    /// scale per residual step, so each is taken when its step is done.
    /// </summary>
    private sealed class Outputs(InstanceIR? instance)
    {
        private int _next, _nextScale;

        /// <summary>The model's own forward.</summary>
        public static Outputs Exact { get; } = new(null);

        public ShapeIR? Of(StepIR step) =>
            ReferenceEquals(this, Exact) ? step.Output : _next < (instance?.Outputs.Count ?? 0) ? instance!.Outputs[_next++] : null;

        /// <summary>A functional step's label for this use, before its <see cref="Of"/>.</summary>
        public string LabelOf(FunctionalStep step) =>
            !ReferenceEquals(this, Exact) && _next < (instance?.Labels.Count ?? 0) && instance!.Labels[_next] is { } label ? label : step.Label;

        /// <summary>A functional step's geometry for this use, before its <see cref="Of"/>.</summary>
        public LayerGeometry? GeometryOf(FunctionalStep step) =>
            !ReferenceEquals(this, Exact) && _next < (instance?.Geometries.Count ?? 0) && instance!.Geometries[_next] is { } geometry ? geometry : step.Geometry;

        public double ScaleOf(ResidualStep step) =>
            ReferenceEquals(this, Exact) ? step.ScaleValue : _nextScale < (instance?.Scales.Count ?? 0) ? instance!.Scales[_nextScale++] : step.ScaleValue;
    }

    /// <summary>Where a step is read: the state_dict prefix of its class's use, the class, and this use's outputs.</summary>
    private sealed record Site(string Prefix, ClassIR Owner, Outputs Outputs);

    private sealed class Builder(ModelIR model) : StepVisitor<Site, List<GraphNode>>
    {
        private readonly Dictionary<string, LayerRow> _rows = model.Layers.GroupBy(r => r.Path).ToDictionary(g => g.Key, g => g.First());
        private readonly Dictionary<string, InstanceIR> _instances = model.Instances.GroupBy(i => i.Path).ToDictionary(g => g.Key, g => g.First());
        private readonly Dictionary<string, ClassIR> _classes = model.Blocks.ToDictionary(b => b.Name);
        private readonly Dictionary<string, List<LayerRow>> _childRows = model.Layers.Where(r => r.Path.Contains('.'))
            .GroupBy(r => r.Path.Substring(0, r.Path.LastIndexOf('.'))).ToDictionary(g => g.Key, g => g.GroupBy(r => r.Path).Select(p => p.First()).ToList());
        /// <summary>
        /// The nodes of <paramref name="steps"/>, each with its output shape as the IR holds it:
        /// layers their row's, other steps the one <paramref name="outputs"/> gives (exact in the
        /// model's forward, this instance's inside a block).
        /// </summary>
        public List<GraphNode> Steps(IEnumerable<StepIR> steps, string prefix, ClassIR owner, Outputs outputs) =>
            steps.SelectMany(step => Visit(step, new Site(prefix, owner, outputs))).ToList();

        protected override List<GraphNode> VisitModule(ModuleStep module, Site at)
        {
            at.Outputs.Of(module);  // its layers carry their rows' shapes
            var member = at.Owner.Members.FirstOrDefault(m => m.Field == module.Field);
            var path = at.Prefix + (member?.StateName ?? module.Field);
            return _rows.TryGetValue(path, out var row) ? Expand(row, member?.Children ?? default) : new List<GraphNode>();
        }

        protected override List<GraphNode> VisitFunctional(FunctionalStep functional, Site at)
        {
            var label = at.Outputs.LabelOf(functional);
            var geometry = at.Outputs.GeometryOf(functional);
            return new List<GraphNode> { new OpNode(null, functional.Kind, label, at.Outputs.Of(functional), 0, 0) { Geometry = geometry } };
        }

        protected override List<GraphNode> VisitConcat(ConcatStep concat, Site at)
        {
            var branches = concat.Branches.Select(b => new BranchNode(b.Hint, Steps(b.Steps, at.Prefix, at.Owner, at.Outputs))).ToList();
            return new List<GraphNode> { new ConcatNode(branches, at.Outputs.Of(concat)) };
        }

        protected override List<GraphNode> VisitGate(GateStep gate, Site at) =>
            new List<GraphNode> { new GateNode(Steps(gate.Branch, at.Prefix, at.Owner, at.Outputs), at.Outputs.Of(gate)) };

        protected override List<GraphNode> VisitSelect(SelectStep select, Site at) =>
            new List<GraphNode> { Select(select, at.Prefix, at.Owner, at.Outputs.Of(select)) };

        protected override List<GraphNode> VisitResidual(ResidualStep residual, Site at)
        {
            // Outputs come in the order the steps were made: the shortcut's first where it registers first.
            var shortcut = residual.ShortcutFirst ? Steps(residual.Shortcut, at.Prefix, at.Owner, at.Outputs) : null;
            var body = Steps(residual.Body, at.Prefix, at.Owner, at.Outputs);
            shortcut ??= Steps(residual.Shortcut, at.Prefix, at.Owner, at.Outputs);
            // Scales are kept in the order residual steps are made: each after those nested in it.
            var value = at.Outputs.ScaleOf(residual);
            var scale = residual.Scale is null ? null : FloatValue.FormatDouble(value);
            return new List<GraphNode> { new ResidualNode(body, shortcut, scale, at.Outputs.Of(residual)) { ShortcutFirst = residual.ShortcutFirst } };
        }

        protected override List<GraphNode> VisitAuxTap(AuxTapStep tap, Site at)
        {
            at.Outputs.Of(tap);
            var aux = model.Aux.FirstOrDefault(a => a.Field == tap.AuxField);
            if (aux is null)
                return new List<GraphNode>();
            var head = _rows.TryGetValue(aux.Field, out var auxRow) ? Expand(auxRow, default).OfType<BlockNode>().FirstOrDefault() : null;
            return new List<GraphNode> { new AuxNode(aux.Name, aux.At, aux.Weight, head) };
        }

        /// <summary>A select's paths and attention, from the rows of its two fields.</summary>
        private SelectNode Select(SelectStep select, string prefix, ClassIR owner, ShapeIR? shape)
        {
            string PathOf(string field) => prefix + (owner.Members.FirstOrDefault(m => m.Field == field)?.StateName ?? field);
            var pathsPath = PathOf(select.PathsField);
            var paths = new List<BranchNode>();
            if (_childRows.TryGetValue(pathsPath, out var pathRows))
            {
                foreach (var row in pathRows)
                {
                    var name = row.Path.Substring(pathsPath.Length + 1);
                    var described = owner.Members.FirstOrDefault(m => m.Field == select.PathsField)?.Children.FirstOrDefault(c => c.Name == name);
                    paths.Add(new BranchNode("path " + name, Expand(row, described?.Children ?? default)));
                }
            }

            var attnMember = owner.Members.FirstOrDefault(m => m.Field == select.AttnField);
            var attn = _rows.TryGetValue(PathOf(select.AttnField), out var attnRow) ? Expand(attnRow, attnMember?.Children ?? default) : new List<GraphNode>();
            return new SelectNode(paths, attn, select.Split, shape);
        }

        /// <summary>The nodes of a layer row: a block instance's body, a Sequential's children (as its member lists them), or one op.</summary>
        private List<GraphNode> Expand(LayerRow row, EquatableArray<SequentialChildIR> children)
        {
            if (row.IsBlock && _classes.TryGetValue(row.Detail, out var cls))
            {
                _instances.TryGetValue(row.Path, out var instance);
                var body = Steps(cls.Forward, row.Path + ".", cls, new Outputs(instance));
                return new List<GraphNode> { new BlockNode(row.Path, cls.Name, cls.Doc, row.Shape, row.Parameters, row.Flops, body) };
            }

            if (row.Kind == "seq")
            {
                // This use's own children (a member its constructor arguments leave out has no row),
                // with the class's description of each where it has one.
                var nodes = new List<GraphNode>();
                if (!_childRows.TryGetValue(row.Path, out var childRows))
                    return nodes;
                foreach (var childRow in childRows)
                {
                    var name = childRow.Path.Substring(row.Path.Length + 1);
                    var described = children.FirstOrDefault(c => c.Name == name);
                    nodes.AddRange(Expand(childRow, described?.Children ?? default));
                }

                return nodes;
            }

            return new List<GraphNode> { new OpNode(row.Path, row.Kind, row.Label, row.Shape, row.Parameters, row.Flops) { Geometry = row.Geometry } };
        }
    }

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
                GateNode gate => gate.Branch,
                SelectNode select => select.Paths.SelectMany(p => p.Nodes).Concat(select.Attn).ToList(),
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
        GateNode gate => $"gate[{string.Join(">", gate.Branch.Select(Signature))}]",
        SelectNode select => $"select{(select.Split ? "/split" : "")}[{string.Join("|", select.Paths.Select(p => string.Join(">", p.Nodes.Select(Signature))))}|attn {string.Join(">", select.Attn.Select(Signature))}]",
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
