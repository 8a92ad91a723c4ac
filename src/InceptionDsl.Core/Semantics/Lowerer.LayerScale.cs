using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// <c>layer_scale: init</c>: the input times a [C, 1, 1] parameter of the block itself, named by the node
/// (<c>layer_scale</c> unless named otherwise), initialised to <c>init</c> (ConvNeXt's CNBlock): a
/// <see cref="ScaleParameterNode"/> member of the class being lowered and a step whose operation is a
/// <see cref="ScaleByParameterNode"/>. Not a module, so not in a seq.
/// </summary>
internal sealed partial class Lowerer
{
    /// <summary>A layer scale reached from a seq: a parameter is no module of a Sequential (a flat body lowers it in <see cref="LowerLayerScale"/>).</summary>
    private LayerPlan? LayerScaleInSequential(string label, Options options)
    {
        CurrentSpan = options.Span;
        _diagnostics.Add(Descriptors.BadNode.Create(options.Span,
            $"'{label}': a layer_scale is a parameter of its block (state_dict '<block>.layer_scale'), not a module, so a seq cannot hold it: put it in the block's body after the seq, as ConvNeXt's CNBlock"));
        return null;
    }

    /// <summary>A layer scale in a flat body: a Parameter field of the class being lowered, and the step that multiplies by it.</summary>
    private Lowered? LowerLayerScale(NodeSyntax node, string? name, TensorShape input, Frame frame, List<StepIR> steps, SymExpr? condition)
    {
        CurrentSpan = node.Span;
        var stateName = name ?? "layer_scale";
        var label = frame.Path + stateName;
        if (!RequireUnconditional(node, condition) || !RequireMap(label, input))
            return null;
        var options = new Options(node, Enumerable.Empty<OptionSyntax>(), frame.Scope, _diagnostics, label);
        if (!options.Has("init"))
        {
            _diagnostics.Add(Descriptors.MissingField.Create(node.Span, $"'{label}'", "init"));
            return null;
        }

        var value = options.Number("init", 1.0, -1e6, 1e6);
        if (value is null)
            return null;
        var detail = $"{stateName} [{input.Channels.Shown}, 1, 1], init {value.Shown}";
        var parameter = new ScaleParameterNode(input.Channels.AsExpr(), value.AsExpr());
        var field = frame.Owner.Add(stateName, node.Span, parameter, $"{detail} -> {ShapeText(input, frame)}", null, _diagnostics);
        if (field is null)
            return null;
        var plan = new LayerPlan("layer_scale", detail, input, input.C, 0, parameter, Functional: false)
            { Label = frame.RecordLayers && !(input.Channels.IsConstant && value.IsConstant) ? $"{stateName} [{input.Channels.Display}, 1, 1], init {value.Display}" : null };
        AddStep(frame, steps, new FunctionalStep(new ScaleByParameterNode(field), null, $"layer_scale: {detail} -> {ShapeText(input, frame)}")
            { Output = input.ToIR(), Kind = "layer_scale", Label = detail }, plan.Label ?? plan.Detail);
        Record(frame, stateName, plan);
        Observe(node, frame.Path + stateName, field, input, input, input.C, 0, frame);
        return new Lowered(input, input.C, 0);
    }
}
