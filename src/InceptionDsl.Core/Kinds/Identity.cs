using InceptionDsl.Emit;
using InceptionDsl.Semantics;

namespace InceptionDsl.Kinds;

/// <summary><c>identity</c>: nn.Identity, which holds a position in a Sequential (a torchvision Permute's, say) and computes nothing.</summary>
internal sealed class Identity : LayerKind<IdentityNode>
{
    public override string Key => "identity";

    public override string Description => "passes its input on unchanged (nn.Identity in a seq, where it holds a position)";

    internal override LayerPlan? Plan(LayerContext context) => new(Key, "identity", context.Input, 0, 0, new IdentityNode(), Functional: true);

    protected override string TorchSharpType(IdentityNode node) => TorchModules + ".Identity";

    protected override string TorchSharpBuild(IdentityNode node) => TorchNn + ".Identity()";

    protected override string TorchSharpApply(IdentityNode node, string input) => input;

    protected override string PyTorchBuild(IdentityNode node) => "nn.Identity()";

    protected override string PyTorchApply(IdentityNode node, string input) => input;

    internal override bool OnnxFromIr => true;

    private protected override string WriteOnnx(IdentityNode node, IOnnxCall call) => "// (the identity in the inference graph)";

}
