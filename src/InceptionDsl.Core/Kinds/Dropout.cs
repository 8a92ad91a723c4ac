using System.Collections.Generic;
using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary><c>dropout: p</c>: nn.Dropout, active in training only (ONNX leaves it out).</summary>
internal sealed class Dropout : LayerKind<DropoutNode>
{
    public override string Key => "dropout";

    public override string Description => "dropout (active in training only)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("p", "number", "0.5", "Drop probability (shorthand 'dropout: 0.2')."),
    };

    public override string? Shorthand => "p";

    internal override LayerPlan? Plan(LayerContext context)
    {
        var p = context.Options.Number("p", 0.5, 0, 1);
        if (p is null)
            return null;
        return new LayerPlan(Key, $"dropout p={p.Shown}", context.Input, 0, 0, new DropoutNode(p.AsExpr()), Functional: true)
            { Label = context.Numbers && !p.IsConstant ? $"dropout p={p.Display}" : null };
    }

    protected override string TorchSharpType(DropoutNode node) => TorchModules + ".Dropout";

    protected override string TorchSharpBuild(DropoutNode node) => $"{TorchNn}.Dropout({Cs(node.P)})";

    protected override string TorchSharpApply(DropoutNode node, string input) => $"{TorchFunctional}.dropout({input}, {Cs(node.P)}, this.training)";

    protected override string PyTorchBuild(DropoutNode node) => $"nn.Dropout({Py(node.P)})";

    protected override string PyTorchApply(DropoutNode node, string input) => $"F.dropout({input}, {Py(node.P)}, self.training)";

    internal override bool OnnxFromIr => true;

    /// <summary>Inference: dropout is the identity.</summary>
    private protected override string WriteOnnx(DropoutNode node, IOnnxCall call) => "// (the identity in the inference graph)";

}
