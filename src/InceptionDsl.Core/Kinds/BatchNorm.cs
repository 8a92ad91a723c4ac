using System.Collections.Generic;
using InceptionDsl.Emit;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary><c>bn: eps</c>: nn.BatchNorm2d over the input's channels (<see cref="BatchNormNode"/>; the conv unit's own BatchNorm is <c>conv</c>'s <c>bn</c> option).</summary>
internal sealed class BatchNorm : LayerKind<BatchNormNode>
{
    public override string Key => "bn";

    public override string Description => "BatchNorm2d";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("eps", "number", "0.00001", "Added to the variance (shorthand 'bn: 0.001')."),
        new KeyInfo("momentum", "number", "0.1", "Running statistics' momentum."),
    };

    public override string? Shorthand => "eps";

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var input = context.Input;
        var eps = context.Options.Number("eps", 1e-5, 0, 1) ?? new FloatValue(1e-5);
        var momentum = context.Options.Number("momentum", 0.1, 0, 1) ?? new FloatValue(0.1);
        return new LayerPlan(Key, $"batchnorm eps {eps.Shown}", input, 2 * input.C, 0, new BatchNormNode(input.Channels.AsExpr(), eps.AsExpr(), momentum.AsExpr()), Functional: false)
            { Label = context.Numbers && !eps.IsConstant ? $"batchnorm eps {eps.Display}" : null };
    }

    protected override string TorchSharpType(BatchNormNode node) => TorchModules + ".BatchNorm2d";

    protected override string TorchSharpBuild(BatchNormNode node) => $"{TorchNn}.BatchNorm2d({Cs(node.Features)}, eps: {Cs(node.Eps)}, momentum: {Cs(node.Momentum)})";

    protected override string PyTorchBuild(BatchNormNode node) => $"nn.BatchNorm2d({Py(node.Features)}, eps={Py(node.Eps)}, momentum={Py(node.Momentum)})";

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(BatchNormNode node, IOnnxCall call) =>
        $"{call.Value} = graph.BatchNorm({call.Path}, {call.Value}, {call.Access}.weight, {call.Access}.bias, {call.Access}.running_mean!, {call.Access}.running_var!, {call.Double(node.Eps)});";

    protected override IEnumerable<SymExpr> OnnxReads(BatchNormNode node) => new[] { node.Eps };

}
