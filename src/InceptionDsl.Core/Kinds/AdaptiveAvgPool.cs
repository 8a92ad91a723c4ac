using System.Collections.Generic;
using InceptionDsl.Emit;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary><c>adaptive_avgpool: size</c>: nn.AdaptiveAvgPool2d to a fixed output size, whatever the input's.</summary>
internal sealed class AdaptiveAvgPool : LayerKind<AdaptiveAvgPoolNode>
{
    public override string Key => "adaptive_avgpool";

    public override string Description => "adaptive average pooling to a fixed size";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("size", "integer or [h, w]", null, "Output size (required; shorthand 'adaptive_avgpool: 1')."),
    };

    public override string? Shorthand => "size";

    internal override LayerPlan? Plan(LayerContext context)
    {
        var size = context.Options.Pair("size", null, 1);
        if (size is null || !context.RequireMap())
            return null;
        var (height, width) = size.Value;
        var output = TensorShape.Map(context.Input.Channels, height.Number, width.Number);
        return new LayerPlan(Key, $"adaptive avg pool to {height.Shown}x{width.Shown}", output, 0, 0, new AdaptiveAvgPoolNode(SymPair.Of(size.Value)), Functional: true)
            { Label = context.Numbers && !(height.IsConstant && width.IsConstant) ? $"adaptive avg pool to {height.Display}x{width.Display}" : null };
    }

    protected override string TorchSharpType(AdaptiveAvgPoolNode node) => TorchModules + ".AdaptiveAvgPool2d";

    protected override string TorchSharpBuild(AdaptiveAvgPoolNode node) => $"{TorchNn}.AdaptiveAvgPool2d({CsPair(node.Size)})";

    protected override string TorchSharpApply(AdaptiveAvgPoolNode node, string input) => $"{TorchFunctional}.adaptive_avg_pool2d({input}, {CsPair(node.Size)})";

    protected override string PyTorchBuild(AdaptiveAvgPoolNode node) => $"nn.AdaptiveAvgPool2d({PyPair(node.Size)})";

    protected override string PyTorchApply(AdaptiveAvgPoolNode node, string input) => $"F.adaptive_avg_pool2d({input}, {PyPair(node.Size)})";

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(AdaptiveAvgPoolNode node, IOnnxCall call) =>
        $"{call.Value} = graph.AdaptiveAvgPool({call.Path}, {call.Value}, {call.Long(node.Size.H)}, {call.Long(node.Size.W)});";

    protected override IEnumerable<SymExpr> OnnxReads(AdaptiveAvgPoolNode node) => node.Size.Both();

}
