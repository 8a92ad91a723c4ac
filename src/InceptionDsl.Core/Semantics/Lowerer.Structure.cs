using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>Composite nodes: Sequential stacks, concatenated branches and residual connections.</summary>
internal sealed partial class Lowerer
{
    /// <summary>Parallel branches on the same input, concatenated on channels in declared order.</summary>
    private Lowered? LowerConcat(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps)
    {
        var label = frame.Path + (name ?? "concat");
        if (node.Children.Count < 2)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"concat '{label}' needs at least two branches"));
            return null;
        }

        if (!RequireMap(label, input))
            return null;
        var branches = new List<BranchIR>();
        var outputs = new List<(string Hint, TensorShape Shape)>();
        long parameters = 0, flops = 0;
        foreach (var branch in node.Children)
        {
            var branchSteps = new List<StepIR>();
            var lowered = LowerNode(branch, input, frame, branchSteps);
            if (lowered is null)
                return null;
            var hint = BranchHint(branch, branches.Count);
            if (lowered.Value.Output.IsVector)
            {
                _diagnostics.Add(Descriptors.ConcatMismatch.Create(branch.Span, label, hint, lowered.Value.Output, "a feature map", "[C, H, W]"));
                return null;
            }

            foreach (var (otherHint, other) in outputs)
            {
                if (other.Height != lowered.Value.Output.Height || other.Width != lowered.Value.Output.Width)
                {
                    _diagnostics.Add(Descriptors.ConcatMismatch.Create(branch.Span, label, hint, lowered.Value.Output, otherHint, other));
                    return null;
                }
            }

            outputs.Add((hint, lowered.Value.Output));
            branches.Add(new BranchIR(hint, branchSteps.ToEquatableArray()));
            parameters += lowered.Value.Parameters;
            flops += lowered.Value.Flops;
        }

        var channels = Sum(outputs.Select(o => o.Shape.Channels).ToList());
        var output = TensorShape.Map(channels, outputs[0].Shape.Height, outputs[0].Shape.Width);
        AddStep(frame, steps, new ConcatStep(branches.ToEquatableArray(), $"{label}: concat of {string.Join(", ", outputs.Select(o => $"{o.Hint} ({o.Shape.Channels.Shown})"))} -> {ShapeText(output, frame)}")
            { Output = output.ToIR(), Kind = "concat", Label = label });
        return new Lowered(output, parameters, flops);
    }

    /// <summary>Channels of a concat: constants folded, run-time terms kept as a sum.</summary>
    private static IntValue Sum(IReadOnlyList<IntValue> parts)
    {
        long total = parts.Sum(p => p.Number);
        if (parts.All(p => p.IsConstant))
            return new IntValue(total);
        long constant = parts.Where(p => p.IsConstant).Sum(p => p.Number);
        var terms = parts.Where(p => !p.IsConstant).Select(p => p.Expr!).ToList();
        if (constant != 0)
            terms.Add(new SymLiteral(new IntValue(constant)));
        return new IntValue(total) { Expr = terms.Aggregate((sum, term) => new SymBinary("+", sum, term)) };
    }

    private static string BranchHint(NodeSyntax branch, int index)
    {
        var named = branch.Name ?? branch.Children.FirstOrDefault(c => c.Name is not null)?.Name;
        return named is not null && Identifiers.IsIdentifier(named.Replace("{i}", "")) ? named.Replace("{i}", "") : "branch" + index.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// <c>body(x) * scale + shortcut(x)</c>. The shortcut is identity unless given; a shortcut with a
    /// run-time <c>if</c> is a projection that exists only for some instances (ResNet's downsample).
    /// </summary>
    private Lowered? LowerResidual(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps)
    {
        var label = frame.Path + (name ?? "residual");
        // The order in which body and shortcut register their modules is the state_dict's order:
        // torchvision's and timm's ResNets register the body first, timm's Xception its skip first.
        bool shortcutFirst = node.Options.Any(o => o.Key == "shortcut_first" && o.Value is LiteralExpr { Value: true });
        var bodySteps = new List<StepIR>();
        var shortcutSteps = new List<StepIR>();
        Lowered? LowerShortcut() => node.Shortcut is null ? new Lowered(input, 0, 0) : LowerNode(node.Shortcut, input, frame, shortcutSteps, shortcut: true);
        Lowered? shortcut = shortcutFirst ? LowerShortcut() : null;
        if (shortcutFirst && shortcut is null)
            return null;
        var options = new Options(node, Enumerable.Empty<OptionSyntax>(), frame.Scope, _diagnostics, label);
        // add: whether the shortcut is added at all (torchvision's use_res_connect). A constant false is the body alone;
        // one on block parameters is a switch of the class, and the shapes must agree only for the uses where it holds.
        var add = options.Has("add") ? options.Raw("add") : new BoolValue(true);
        if (add is null)
            return null;
        if (add is not BoolValue addFlag)
        {
            _diagnostics.Add(Descriptors.WrongType.Create(options.SpanOf("add"), "add", "true or false (a condition)", $"{add.TypeName} ({add.Display})"));
            return null;
        }

        if (options.Has("add") && node.Shortcut is not null)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(options.SpanOf("add"),
                $"residual '{label}' has both 'add' and a shortcut: 'add' switches an identity shortcut on or off (torchvision's use_res_connect); for a projection only some uses have, put an 'if' on the shortcut's nodes instead"));
            return null;
        }

        // In a block class a condition on its parameters is run-time C#; this walk's own number decides the checks.
        var addCondition = addFlag.Expr;
        bool adds = addFlag.Flag;
        var body = LowerChain(node.Children, input, frame, bodySteps);
        if (body is null)
            return null;
        if (!adds && addCondition is null)
            return LowerBodyAlone(node, label, body.Value, bodySteps, frame, steps);
        shortcut ??= LowerShortcut();
        if (shortcut is null)
            return null;
        if (adds && !shortcut.Value.Output.SameAs(body.Value.Output))
        {
            _diagnostics.Add(Descriptors.ResidualMismatch.Create(node.Span, label, shortcut.Value.Output, body.Value.Output));
            return null;
        }

        SymExpr? dropPath = null;
        if (options.Has("drop_path"))
        {
            var rate = options.Number("drop_path", 0.0, 0.0, 0.999);
            if (rate is null)
                return null;
            // The rate is the class's DropPathRate (IDropPath): one per class.
            if (!_dropPathOwners.Add(frame.Owner))
            {
                _diagnostics.Add(Descriptors.BadNode.Create(options.SpanOf("drop_path"),
                    $"residual '{label}' declares a second drop_path in its class: a block has one stochastic-depth rate (its DropPathRate); put each residual in a block of its own"));
                return null;
            }

            dropPath = rate.AsExpr();
        }

        SymExpr? scale = null;
        double scaleValue = 1.0;
        if (options.Has("scale"))
        {
            var value = options.Number("scale", 1.0, double.MinValue, double.MaxValue);
            if (value is null)
                return null;
            scaleValue = ExprEvaluator.ToDouble(value);
            if (!(value.IsConstant && ExprEvaluator.ToDouble(value) == 1.0))
                scale = value.AsExpr();
        }

        AddStep(frame, steps, new ResidualStep(bodySteps.ToEquatableArray(), shortcutSteps.ToEquatableArray(), scale,
            $"{label}: {(scale is null ? "" : ExprText.Render(scale) + " * ")}body + {(node.Shortcut is null ? "identity" : "shortcut")}{(addCondition is null ? "" : $" where {ExprText.Render(addCondition)}, else body")} -> {ShapeText(body.Value.Output, frame)}")
            { Output = body.Value.Output.ToIR(), Kind = "residual", Label = label, ScaleValue = scaleValue, ShortcutFirst = shortcutFirst, AddCondition = addCondition, DropPath = dropPath });
        frame.Trace?.Scales.Add(scaleValue);
        return new Lowered(body.Value.Output, body.Value.Parameters + shortcut.Value.Parameters, body.Value.Flops + shortcut.Value.Flops);
    }

    /// <summary>The classes whose residual declared a drop_path (a class holds one rate).</summary>
    private readonly HashSet<ClassBuilder> _dropPathOwners = new();

    /// <summary>
    /// A residual whose <c>add</c> is false for this model or use: its body alone, as if written without
    /// the residual (its shortcut, which nothing would read, is not built).
    /// </summary>
    private Lowered LowerBodyAlone(NodeSyntax node, string label, Lowered body, List<StepIR> bodySteps, Frame frame, List<StepIR> steps)
    {
        foreach (var step in bodySteps)
            steps.Add(step);
        return body;
    }

    /// <summary>
    /// <c>x * branch(x)</c>: the branch (a chain of nodes in this class, e.g. squeeze-and-excitation's
    /// pool, 1x1 conv, ReLU, 1x1 conv, sigmoid) must give the input's channels over the input's map
    /// or over one pixel, which the product broadcasts.
    /// </summary>
    private Lowered? LowerGate(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps)
    {
        var label = frame.Path + (name ?? "gate");
        if (!RequireMap(label, input))
            return null;
        if (node.Children.Count == 0)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"gate '{label}' needs a branch: the nodes that compute the weights"));
            return null;
        }

        var branchSteps = new List<StepIR>();
        var branch = LowerChain(node.Children, input, frame, branchSteps);
        if (branch is null)
            return null;
        var weights = branch.Value.Output;
        bool broadcasts = !weights.IsVector && weights.C == input.C
            && ((weights.Height == 1 && weights.Width == 1) || (weights.Height == input.Height && weights.Width == input.Width));
        if (!broadcasts)
        {
            _diagnostics.Add(Descriptors.ChannelMismatch.Create(node.Span, label,
                $"the branch gives {weights}, which cannot scale the input {input}: it needs {input.C} channels over one pixel or over the input's map"));
            return null;
        }

        AddStep(frame, steps, new GateStep(branchSteps.ToEquatableArray(), $"{label}: input * the weights its branch computes -> {ShapeText(input, frame)}")
            { Output = input.ToIR(), Kind = "gate", Label = label });
        return new Lowered(input, branch.Value.Parameters, branch.Value.Flops);
    }
}
