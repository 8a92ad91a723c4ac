using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// ConvNeXt's layers, each on an NCHW map as the rest of the language:
/// <list type="bullet">
/// <item><c>layer_norm: eps</c>: LayerNorm over the channels at every position, weight and bias [C] (torchvision's
/// LayerNorm2d; inside a CNBlock the Permute-LayerNorm-Permute, which computes the same): <see cref="LayerNorm2dNode"/>.</item>
/// <item><c>channel_linear: out</c>: nn.Linear over the channels at every position, weight [out, in] and bias [out]
/// (ConvNeXt's Linear between its Permutes): <see cref="ChannelLinearNode"/>.</item>
/// <item><c>layer_scale: init</c>: the input times a [C, 1, 1] parameter of the block itself, named by the node
/// (<c>layer_scale</c> unless named otherwise), initialised to <c>init</c>: a <see cref="ScaleParameterNode"/> member and a
/// step whose operation is a <see cref="ScaleByParameterNode"/>. Not a module, so not in a seq.</item>
/// </list>
/// </summary>
internal sealed partial class Lowerer
{
    private LayerPlan? PlanConvNeXtLayer(string op, string label, Options options, TensorShape input, bool numbers)
    {
        CurrentSpan = options.Span;
        if (op == "layer_scale")
        {
            // Reached from a seq (a flat body lowers it in LowerLayerScale): a parameter is no module of a Sequential.
            _diagnostics.Add(Descriptors.BadNode.Create(options.Span,
                $"'{label}': a layer_scale is a parameter of its block (state_dict '<block>.layer_scale'), not a module, so a seq cannot hold it: put it in the block's body after the seq, as ConvNeXt's CNBlock"));
            return null;
        }

        if (!RequireMap(label, input))
            return null;
        if (op == "layer_norm")
        {
            var eps = options.Number("eps", 1e-5, 0, 1);
            if (eps is null)
                return null;
            return new LayerPlan("layer_norm", $"layernorm over channels eps {eps.Shown}", input, 2 * input.C, 0,
                new LayerNorm2dNode(input.Channels.AsExpr(), eps.AsExpr()), Functional: false)
                { Label = numbers && !eps.IsConstant ? $"layernorm over channels eps {eps.Display}" : null };
        }

        var outChannels = options.Int("out", null, 1, SpecLimits.MaxChannels);
        var bias = options.Bool("bias", true);
        if (outChannels is null || bias is null)
            return null;
        long parameters = input.C * outChannels.Number + (bias.Value ? outChannels.Number : 0);
        long flops = 2 * input.C * outChannels.Number * input.Height * input.Width;
        return new LayerPlan("channel_linear", $"linear over channels {input.Channels.Shown} -> {outChannels.Shown}", TensorShape.Map(outChannels, input.Height, input.Width),
            parameters, flops, new ChannelLinearNode(input.Channels.AsExpr(), outChannels.AsExpr(), bias.Value), Functional: false)
            { Label = numbers && !(input.Channels.IsConstant && outChannels.IsConstant) ? $"linear over channels {input.Channels.Display} -> {outChannels.Display}" : null };
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
