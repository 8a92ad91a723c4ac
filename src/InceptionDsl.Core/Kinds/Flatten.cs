using InceptionDsl.Emit;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Kinds;

/// <summary><c>flatten</c>: every dimension but the batch in one, a map [C, H, W] becoming the vector of C x H x W features.</summary>
internal sealed class Flatten : LayerKind<FlattenNode>
{
    public override string Key => "flatten";

    public override string Description => "flatten to a vector";

    internal override LayerPlan? Plan(LayerContext context)
    {
        var input = context.Input;
        if (input.IsVector)
            return new LayerPlan(Key, "flatten", input, 0, 0, new FlattenNode(), Functional: true);
        long features = input.C * input.Height * input.Width;
        var channels = input.Height * input.Width == 1 ? input.Channels
            : new IntValue(features) { Expr = input.Channels.IsConstant ? null : new SymBinary("*", input.Channels.Expr!, new SymLiteral(new IntValue(input.Height * input.Width))) };
        return new LayerPlan(Key, "flatten", TensorShape.Vector(channels), 0, 0, new FlattenNode(), Functional: true);
    }

    protected override string TorchSharpType(FlattenNode node) => TorchModules + ".Flatten";

    protected override string TorchSharpBuild(FlattenNode node) => TorchNn + ".Flatten()";

    protected override string TorchSharpApply(FlattenNode node, string input) => input + ".flatten(1)";

    protected override string PyTorchBuild(FlattenNode node) => "nn.Flatten()";

    protected override string PyTorchApply(FlattenNode node, string input) => input + ".flatten(1)";

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(FlattenNode node, IOnnxCall call) => $"{call.Value} = graph.Flatten({call.Path}, {call.Value});";

}
