using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// Selective kernels (Li et al. 2019, timm's SelectiveKernel): parallel paths on the same input
/// (or on its channel slices), weighted per channel by a softmax across the paths that an
/// attention chain computes from their sum, then added.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>The field type of a select's paths: a ModuleList, whose children are named 0, 1, ... as PyTorch's nn.ModuleList.</summary>

    /// <summary>
    /// A <c>select</c>: registers <c>paths</c> (a ModuleList of one module per path) then <c>attn</c>
    /// (a Sequential) in the frame's class, the state_dict order of timm's SelectiveKernel, and
    /// adds one <see cref="SelectStep"/>. The paths must agree in shape; the attention, applied to
    /// their sum, must give paths x channels weights over one pixel or over the map.
    /// </summary>
    private Lowered? LowerSelect(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps)
    {
        var label = frame.Path + (name ?? "select");
        CurrentSpan = node.Span;
        if (!RequireMap(label, input))
            return null;
        var pathsNode = node.Children[0];
        var attnNode = node.Children[1];
        int count = pathsNode.Children.Count;
        if (count < 2)
        {
            _diagnostics.Add(Descriptors.BadNode.Create(pathsNode.Span, $"select '{label}' needs at least two paths to choose between, found {count}"));
            return null;
        }

        var options = new Options(node, Enumerable.Empty<OptionSyntax>(), frame.Scope, _diagnostics, label);
        if (node.Options.FirstOrDefault(o => o.Key == "split") is { } splitOption
            && ExprEvaluator.Evaluate(splitOption.Value, frame.Scope, new List<SpecDiagnostic>()) is BoolValue { IsConstant: false })
        {
            // Forward splits or not for every use of the class: a constructor argument cannot decide it.
            _diagnostics.Add(Descriptors.ExpressionType.Create(splitOption.Span, splitOption.Value.Display,
                $"decides the forward of '{label}' and must be known at build time: use a model parameter or true/false, not a block parameter"));
            return null;
        }

        var split = options.Bool("split", false);
        if (split is null)
            return null;
        var pathInput = input;
        if (split.Value)
        {
            if (input.C % count != 0)
            {
                _diagnostics.Add(Descriptors.ChannelMismatch.Create(options.SpanOf("split"), label,
                    $"split: true divides the input's {input.C} channels among {count} paths, which needs a multiple of {count}"));
                return null;
            }

            var sliced = input.Channels.IsConstant
                ? new IntValue(input.C / count)
                : new IntValue(input.C / count) { Expr = new SymBinary("//", input.Channels.AsExpr(), new SymLiteral(new IntValue(count))) };
            pathInput = TensorShape.Map(sliced, input.Height, input.Width);
        }

        var paths = LowerPaths(pathsNode, pathInput, frame);
        if (paths is null)
            return null;
        var (pathsField, output, pathParameters, pathFlops) = paths.Value;

        // The attention reads the sum of the paths: a Sequential named attn whose members keep their names.
        var attn = PlanSequential(attnNode, "attn", output, frame);
        if (attn is null)
            return null;
        var attnField = frame.Owner.Add("attn", attnNode.Span, attn.Module, $"{attn.Detail}: weights of the {count} paths -> {ShapeText(attn.Output, frame)}", null, _diagnostics, attn.Children);
        if (attnField is null)
            return null;
        Record(frame, "attn", attn);
        Observe(attnNode, frame.Path + "attn", attnField, output, attn.Output, attn.Parameters, attn.Flops, frame);

        var weights = attn.Output;
        bool pixel = weights.Height == 1 && weights.Width == 1;
        if (weights.IsVector || weights.C != count * output.C || !(pixel || (weights.Height == output.Height && weights.Width == output.Width)))
        {
            _diagnostics.Add(Descriptors.ChannelMismatch.Create(attnNode.Span, frame.Path + "attn",
                $"gives {weights}, which cannot weight {count} paths of {output}: it needs {count} x {output.C} = {count * output.C} channels over one pixel or over the paths' map"));
            return null;
        }

        var how = split.Value ? $"{count} paths on channel slices" : $"{count} paths";
        AddStep(frame, steps, new SelectStep(pathsField, count, attnField, split.Value,
            $"{label}: {how}, weighted per channel by a softmax across them of attn(their sum), then added -> {ShapeText(output, frame)}")
            { Output = output.ToIR(), Kind = "select", Label = label });
        return new Lowered(output, pathParameters + attn.Parameters, pathFlops + attn.Flops);
    }

    /// <summary>
    /// The paths: one module each (as a seq member), registered as the ModuleList <c>paths</c> with
    /// children 0, 1, ...; each reads <paramref name="input"/> and all must give the same shape.
    /// </summary>
    private (string Field, TensorShape Output, long Parameters, long Flops)? LowerPaths(NodeSyntax pathsNode, TensorShape input, Frame frame)
    {
        int rowIndex = _layers.Count;
        var childFrame = new Frame(new ClassBuilder("paths", new HashSet<string>()), frame.Scope, frame.Path + "paths.", frame.Depth + 1, frame.RecordLayers);
        var inits = new List<ModuleNode>();
        var children = new List<SequentialChildIR>();
        TensorShape? output = null;
        long parameters = 0, flops = 0;
        foreach (var path in pathsNode.Children)
        {
            var position = inits.Count.ToString(CultureInfo.InvariantCulture);
            if (path.Repeat is not null || path.Condition is not null || path.Name is not null)
            {
                _diagnostics.Add(Descriptors.BadNode.Create(path.Span,
                    $"'{childFrame.Path}{position}': a path is named by its position and always present; write one node per path without name, repeat or if"));
                return null;
            }

            if (path.Op is "concat" or "residual" or "chain" or "gate" or "select" || (path.Op == "use" && ResolveBlock(path, frame.Scope) is { Inline: true }))
            {
                _diagnostics.Add(Descriptors.BadNode.Create(path.Span,
                    $"'{childFrame.Path}{position}': a path is one module; a {(path.Op == "use" ? "use of an inline block" : path.Op)} is not one: use a seq, a conv with bn, or a block"));
                return null;
            }

            if (!CountLayer(path.Span))
                return null;
            var plan = PlanLayer(path, position, input, childFrame);
            if (plan is null)
                return null;
            if (plan.ActivationAfter is not null)
            {
                _diagnostics.Add(ActInSeq(path, childFrame.Path + position));
                return null;
            }

            if (output is not null && !plan.Output.SameAs(output))
            {
                _diagnostics.Add(Descriptors.ChannelMismatch.Create(path.Span, childFrame.Path + position,
                    $"gives {plan.Output} but path 0 gives {output}: the paths are weighted and added, so they must agree in shape"));
                return null;
            }

            output ??= plan.Output;
            Record(childFrame, position, plan);
            Observe(path, childFrame.Path + position, null, input, plan.Output, plan.Parameters, plan.Flops, childFrame);
            children.Add(new SequentialChildIR(position, plan.Kind, plan.Detail) { Children = plan.Children });
            inits.Add(plan.Module);
            parameters += plan.Parameters;
            flops += plan.Flops;
        }

        var init = new ModuleListNode(inits.ToEquatableArray());
        var detail = $"{inits.Count} paths";
        var field = frame.Owner.Add("paths", pathsNode.Span, init, $"{detail} -> {ShapeText(output!, frame)} each", null, _diagnostics, children.ToEquatableArray());
        if (field is null)
            return null;
        Record(frame, "paths", new LayerPlan("paths", detail, output!, parameters, flops, init, Functional: false, RowIndex: rowIndex) { Children = children.ToEquatableArray() });
        return (field, output!, parameters, flops);
    }
}
