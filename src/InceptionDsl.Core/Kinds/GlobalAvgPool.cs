using InceptionDsl.Emit;
using InceptionDsl.Semantics;

namespace InceptionDsl.Kinds;

/// <summary><c>global_avgpool</c>: the mean of each channel over the map, flattened to a vector (a Sequential of AdaptiveAvgPool2d(1) and Flatten as a module).</summary>
internal sealed class GlobalAvgPool : LayerKind<GlobalAvgPoolNode>
{
    public override string Key => "global_avgpool";

    public override string Description => "global average pooling, flattened to a vector";

    internal override LayerPlan? Plan(LayerContext context) => context.RequireMap()
        ? new LayerPlan(Key, "global average pool", TensorShape.Vector(context.Input.Channels), 0, 0, new GlobalAvgPoolNode(), Functional: true)
        : null;

    protected override string TorchSharpType(GlobalAvgPoolNode node) => TorchModules + ".Sequential";

    protected override string TorchSharpBuild(GlobalAvgPoolNode node) => $"{TorchNn}.Sequential({TorchNn}.AdaptiveAvgPool2d(1), {TorchNn}.Flatten())";

    protected override string TorchSharpApply(GlobalAvgPoolNode node, string input) => $"{TorchFunctional}.adaptive_avg_pool2d({input}, 1).flatten(1)";

    protected override string PyTorchBuild(GlobalAvgPoolNode node) => "nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten())";

    protected override string PyTorchApply(GlobalAvgPoolNode node, string input) => $"F.adaptive_avg_pool2d({input}, 1).flatten(1)";

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(GlobalAvgPoolNode node, IOnnxCall call) => $"{call.Value} = graph.GlobalAvgPool({call.Path}, {call.Value});";

}
