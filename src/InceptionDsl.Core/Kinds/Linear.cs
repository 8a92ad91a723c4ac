using System.Collections.Generic;
using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary><c>linear: out</c>: nn.Linear on a flat vector (after <c>flatten</c> or <c>global_avgpool</c>); <c>in</c>, where given, is checked.</summary>
internal sealed class Linear : LayerKind<LinearNode>
{
    public override string Key => "linear";

    public override string Description => "fully connected layer";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("out", "positive integer", null, "Output features (required; shorthand 'linear: $classes')."),
        new KeyInfo("in", "positive integer", "the input's features", "Expected input features, checked against the shape."),
        new KeyInfo("bias", "true or false", "true", "Whether the layer has a bias."),
    };

    public override string? Shorthand => "out";

    internal override LayerPlan? Plan(LayerContext context)
    {
        var options = context.Options;
        var input = context.Input;
        if (!input.IsVector)
        {
            context.Report(Descriptors.ClassifierMismatch.Create(options.Span, context.Label, "a flat vector of", $"the feature map {input}: add flatten or global_avgpool before it"));
            return null;
        }

        var outFeatures = options.Int("out", null, 1, SpecLimits.MaxChannels);
        var declaredIn = options.Has("in") ? options.Int("in", null, 1, SpecLimits.MaxChannels) : null;
        var bias = options.Bool("bias", true);
        if (outFeatures is null || bias is null)
            return null;
        if (declaredIn is not null && declaredIn.Number != input.C)
        {
            context.Report(Descriptors.ClassifierMismatch.Create(options.SpanOf("in"), context.Label, declaredIn.Number, $"{input} ({input.C} features)"));
            return null;
        }

        long parameters = input.C * outFeatures.Number + (bias.Value ? outFeatures.Number : 0);
        return new LayerPlan(Key, $"linear {input.Channels.Shown} -> {outFeatures.Shown}", TensorShape.Vector(outFeatures), parameters, 2 * input.C * outFeatures.Number,
            new LinearNode(input.Channels.AsExpr(), outFeatures.AsExpr(), bias.Value), Functional: false)
            { Label = context.Numbers && !(input.Channels.IsConstant && outFeatures.IsConstant) ? $"linear {input.Channels.Display} -> {outFeatures.Display}" : null };
    }

    protected override string TorchSharpType(LinearNode node) => TorchModules + ".Linear";

    protected override string TorchSharpBuild(LinearNode node) => $"{TorchNn}.Linear({Cs(node.In)}, {Cs(node.Out)}{(node.Bias ? "" : ", hasBias: false")})";

    protected override string PyTorchBuild(LinearNode node) => $"nn.Linear({Py(node.In)}, {Py(node.Out)}{(node.Bias ? "" : ", bias=False")})";

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(LinearNode node, IOnnxCall call) => $"{call.Value} = graph.Linear({call.Path}, {call.Value}, {call.Access}.weight!, {call.Access}.bias);";

}
