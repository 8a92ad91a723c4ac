using System.Collections.Generic;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>LayerNorm over the channels at every position of an NCHW map (ConvNeXt's LayerNorm2d): <c>weight</c>, <c>bias</c> [C].</summary>
public sealed record LayerNorm2dNode(SymExpr Channels, SymExpr Eps) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Channels, Eps };
}

/// <summary>
/// <c>layer_norm: eps</c>: LayerNorm over the channels at every position, weight and bias [C] (torchvision's
/// LayerNorm2d; inside a ConvNeXt CNBlock the Permute-LayerNorm-Permute, which computes the same).
/// </summary>
internal sealed class LayerNorm2d : LayerKind<LayerNorm2dNode>
{
    private const string Class = "InceptionDslLayerNorm2d";

    public override string Key => "layer_norm";

    public override string Description => "LayerNorm over the channels at every position of a map (torchvision's LayerNorm2d; ConvNeXt's LayerNorm between its Permutes)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("eps", "number", "1e-5", "Added to the variance (shorthand 'layer_norm: 1e-6', ConvNeXt's)."),
    };

    public override string? Shorthand => "eps";

    public override IReadOnlyList<string> SupportClasses { get; } = new[] { Class };

    public override IReadOnlyList<string> PythonClasses { get; } = new[] { "LayerNorm2d" };

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var input = context.Input;
        var eps = context.Options.Number("eps", 1e-5, 0, 1);
        if (eps is null)
            return null;
        return new LayerPlan(Key, $"layernorm over channels eps {eps.Shown}", input, 2 * input.C, 0,
            new LayerNorm2dNode(input.Channels.AsExpr(), eps.AsExpr()), Functional: false)
            { Label = context.Numbers && !eps.IsConstant ? $"layernorm over channels eps {eps.Display}" : null };
    }

    protected override string TorchSharpType(LayerNorm2dNode node) => Class;

    protected override string TorchSharpBuild(LayerNorm2dNode node) => $"new {Class}({Cs(node.Channels)}, eps: {Cs(node.Eps)})";

    protected override string PyTorchBuild(LayerNorm2dNode node) => $"LayerNorm2d({Py(node.Channels)}, eps={Py(node.Eps)})";

    internal override string TorchSharpSupport(bool onnx) => $$"""
        /// <summary>
        /// LayerNorm over the channels at every position of an NCHW map: torchvision's LayerNorm2d (permute to NHWC,
        /// layer_norm over the last dimension, permute back), weight and bias [C] as nn.LayerNorm's.
        /// </summary>
        {{GeneratedCode}}
        public sealed class {{Class}} : {{ModuleBase}}{{OnnxInterface(onnx)}}
        {
            private readonly global::TorchSharp.Modules.Parameter weight;
            private readonly global::TorchSharp.Modules.Parameter bias;

            /// <summary>Builds the LayerNorm over <paramref name="channels"/> channels: weight 1, bias 0, as PyTorch's.</summary>
            public {{Class}}(long channels, double eps = 1e-5) : base("LayerNorm2d")
            {
                Eps = eps;
                this.weight = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.ones(channels));
                this.bias = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.zeros(channels));
                RegisterComponents();
            }

            /// <summary>Added to the variance.</summary>
            public double Eps { get; }

            /// <inheritdoc />
            public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) =>
                global::TorchSharp.torch.nn.functional.layer_norm(input.permute(0, 2, 3, 1), new[] { this.weight.shape[0] }, this.weight, this.bias, Eps).permute(0, 3, 1, 2);
        {{OnnxWriter(onnx, "graph.LayerNorm2d(path, input, this.weight, this.bias, Eps)")}}}
        """;

    internal override string PyTorchSupport => """
        class LayerNorm2d(nn.Module):
            # LayerNorm over the channels at every position of an NCHW map (torchvision's LayerNorm2d): weight, bias [C].

            def __init__(self, channels, eps=1e-5):
                super().__init__()
                self.weight = nn.Parameter(torch.ones(channels))
                self.bias = nn.Parameter(torch.zeros(channels))
                self.eps = eps

            def forward(self, x):
                x = x.permute(0, 2, 3, 1)
                x = F.layer_norm(x, (x.shape[-1],), self.weight, self.bias, self.eps)
                return x.permute(0, 3, 1, 2)
        """;
}
