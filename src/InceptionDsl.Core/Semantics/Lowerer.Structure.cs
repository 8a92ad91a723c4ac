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
    /// <summary>
    /// A <c>seq</c>: one Sequential field whose children are named 0, 1, ... by position (as
    /// PyTorch's nn.Sequential) unless a child carries a name. A member whose <c>if</c> depends on a
    /// block parameter is decided when the block is constructed: left out, the members after it move
    /// up (as <c>nn.Sequential(*list)</c>). The class is lowered with its first use's values; each
    /// use is checked with its own, where every condition is a constant.
    /// </summary>
    private LayerPlan? PlanSequential(NodeSyntax node, string label, TensorShape input, Frame frame)
    {
        int rowIndex = _layers.Count;
        var childFrame = new Frame(new ClassBuilder(label, new HashSet<string>()), frame.Scope, frame.Path + label + ".", frame.Depth + 1, frame.RecordLayers);
        var members = new List<(string? Name, string Position, string? Condition, string Init)>();
        var childIRs = new List<SequentialChildIR>();
        var names = new Dictionary<string, SourceSpan>();
        var shape = input;
        long parameters = 0, flops = 0;
        foreach (var child in node.Children)
        {
            var condition = EvaluateCondition(child, frame.Scope);
            if (condition.Skip)
                continue;
            var count = EvaluateRepeat(child, frame.Scope);
            if (count is null)
                return null;
            for (long i = 0; i < count.Value; i++)
            {
                if (!CountLayer(child.Span))
                    return null;
                var scope = frame.Scope;
                if (child.Repeat is not null)
                {
                    scope = new Scope(frame.Scope, frame.Scope.Description);
                    scope.Set("i", new IntValue(i));
                }

                var explicitName = InstanceName(child, i, scope);
                var childName = explicitName ?? childIRs.Count.ToString(CultureInfo.InvariantCulture);
                if (child.Op is "concat" or "residual" or "chain" or "gate" or "select" || (child.Op == "use" && ResolveBlock(child, frame.Scope) is { Inline: true }))
                {
                    _diagnostics.Add(Descriptors.BadNode.Create(child.Span,
                        $"A seq holds modules; a {(child.Op == "use" ? "use of an inline block (a template expanded in place)" : child.Op)} is not one: make it a block without 'inline: true', or wrap it in a block"));
                    return null;
                }

                var plan = PlanLayer(child, childName, shape, (condition.Active ? childFrame : new Frame(new ClassBuilder(label, new HashSet<string>()), frame.Scope, "", 0, false)).WithScope(scope));
                if (plan is null)
                    return null;
                if (plan.ActivationAfter is not null)
                {
                    _diagnostics.Add(ActInSeq(child, childFrame.Path + childName));
                    return null;
                }

                members.Add((explicitName, childName, condition.Code, plan.ModuleInit));
                if (!condition.Active)
                    continue;  // left out by the first use: the class builds it for the uses that keep it
                if (names.TryGetValue(childName, out var first))
                {
                    _diagnostics.Add(Descriptors.DuplicateName.Create(child.Span, childName, first.Line));
                    return null;
                }

                names[childName] = child.Span;
                Record(childFrame, childName, plan);
                Observe(child, childFrame.Path + childName, null, shape, plan.Output, plan.Parameters, plan.Flops, childFrame);
                childIRs.Add(new SequentialChildIR(childName, plan.Kind, plan.Detail) { Children = plan.Children });
                shape = plan.Output;
                parameters += plan.Parameters;
                flops += plan.Flops;
            }
        }

        if (childIRs.Count == 0 && members.Count == 0)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(node.Span, $"seq '{label}' has no members"));
            return null;
        }

        string init;
        if (members.All(m => m.Condition is null))
        {
            init = $"{Nn}.Sequential(\n" + string.Join(",\n", members.Select(m => $"    ({Emit.CSharpText.Literal(m.Position)}, {m.Init.Replace("\n", "\n    ")})")) + ")";
        }
        else
        {
            // Unnamed members are numbered at construction, among those kept.
            init = $"{SequentialOf}(\n" + string.Join(",\n", members.Select(m =>
                $"    ({(m.Name is null ? "null" : Emit.CSharpText.Literal(m.Name))}, {(m.Condition is null ? m.Init : $"{m.Condition}\n        ? {m.Init.Replace("\n", "\n        ")}\n        : null")})".Replace("\n", "\n    "))) + ")";
        }

        return new LayerPlan("seq", $"Sequential of {childIRs.Count}", shape, parameters, flops, "global::TorchSharp.Modules.Sequential", init, null, RowIndex: rowIndex)
            { Children = childIRs.ToEquatableArray() };
    }

    /// <summary>The support helper that builds a Sequential leaving out the members a constructor argument drops (InceptionDsl.Support.g.cs).</summary>
    private const string SequentialOf = "InceptionDslModules.SequentialOf";

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
        AddStep(frame, steps, new ConcatStep(branches.ToEquatableArray(), $"{label}: concat of {string.Join(", ", outputs.Select(o => $"{o.Hint} ({o.Shape.Channels.ToCSharp()})"))} -> {ShapeText(output, frame)}")
            { Output = output.ToIR(), Kind = "concat", Label = label });
        return new Lowered(output, parameters, flops);
    }

    /// <summary>Channels of a concat: constants folded, run-time terms kept as a C# sum.</summary>
    private static IntValue Sum(IReadOnlyList<IntValue> parts)
    {
        long total = parts.Sum(p => p.Number);
        if (parts.All(p => p.IsConstant))
            return new IntValue(total);
        long constant = parts.Where(p => p.IsConstant).Sum(p => p.Number);
        var terms = parts.Where(p => !p.IsConstant).Select(p => ExprEvaluator.Wrap(p, Precedences.Additive)).ToList();
        if (constant != 0)
            terms.Add(constant.ToString(CultureInfo.InvariantCulture));
        return new IntValue(total) { Code = string.Join(" + ", terms), Precedence = terms.Count > 1 ? Precedences.Additive : Precedences.Atom };
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
        var body = LowerChain(node.Children, input, frame, bodySteps);
        if (body is null)
            return null;
        shortcut ??= LowerShortcut();
        if (shortcut is null)
            return null;
        if (!shortcut.Value.Output.SameAs(body.Value.Output))
        {
            _diagnostics.Add(Descriptors.ResidualMismatch.Create(node.Span, label, shortcut.Value.Output, body.Value.Output));
            return null;
        }

        string? scale = null;
        double scaleValue = 1.0;
        var options = new Options(node, Enumerable.Empty<OptionSyntax>(), frame.Scope, _diagnostics, label);
        if (options.Has("scale"))
        {
            var value = options.Number("scale", 1.0, double.MinValue, double.MaxValue);
            if (value is null)
                return null;
            scaleValue = ExprEvaluator.ToDouble(value);
            if (!(value.IsConstant && ExprEvaluator.ToDouble(value) == 1.0))
                scale = value.ToCSharp();
        }

        AddStep(frame, steps, new ResidualStep(bodySteps.ToEquatableArray(), shortcutSteps.ToEquatableArray(), scale,
            $"{label}: {(scale is null ? "" : scale + " * ")}body + {(node.Shortcut is null ? "identity" : "shortcut")} -> {ShapeText(body.Value.Output, frame)}")
            { Output = body.Value.Output.ToIR(), Kind = "residual", Label = label, ScaleValue = scaleValue, ShortcutFirst = shortcutFirst });
        frame.Trace?.Scales.Add(scaleValue);
        return new Lowered(body.Value.Output, body.Value.Parameters + shortcut.Value.Parameters, body.Value.Flops + shortcut.Value.Flops);
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

    /// <summary>
    /// A conv without bn that carries <c>act</c> inside a seq: in a block body the activation is a
    /// step of forward, but a Sequential member is one module at one position, and a plain Conv2d has
    /// no activation. Reported at the <c>act</c> that asks for it (the <c>defaults:</c> line when it
    /// comes from there), with the conv as a related place.
    /// </summary>
    private SpecDiagnostic ActInSeq(NodeSyntax conv, string path)
    {
        var own = conv.Options.FirstOrDefault(o => o.Key == "act");
        var inherited = own is null && _defaults.TryGetValue("conv", out var defaults) ? defaults.LastOrDefault(o => o.Key == "act") : null;
        var where = own?.Span ?? inherited?.Span ?? conv.Span;
        var source = inherited is not null ? $"'act: {inherited.Value.Display}' from defaults: (line {inherited.Span.Line})" : $"'act: {own?.Value.Display ?? "relu"}'";
        var diagnostic = Descriptors.BadNode.Create(where,
            $"'{path}' is a conv without bn in a seq, where each member is one module at one position: its {source} would need a position of its own; write 'act: none' on it and add a '- relu' member after it, or give it 'bn'");
        return diagnostic.WithRelated(conv.Span, $"the conv '{path}'");
    }
}
