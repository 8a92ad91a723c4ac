using System.Collections.Generic;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>nn.Linear over the channels at every position (ConvNeXt's Linear between Permutes): <c>weight</c> [out, in], <c>bias</c>.</summary>
public sealed record ChannelLinearNode(SymExpr In, SymExpr Out, bool Bias) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { In, Out };
}

/// <summary><c>channel_linear: out</c>: nn.Linear over the channels at every position, weight [out, in] and bias [out] (ConvNeXt's Linear between its Permutes).</summary>
internal sealed class ChannelLinear : LayerKind<ChannelLinearNode>
{
    private const string Class = "InceptionDslChannelLinear";

    public override string Key => "channel_linear";

    public override string Description => "a Linear over the channels at every position of a map (nn.Linear's [out, in] weights: ConvNeXt's channels-last MLP)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("out", "positive integer", null, "Output channels (required; shorthand 'channel_linear: 384')."),
        new KeyInfo("bias", "true or false", "true", "Whether the layer has a bias."),
    };

    public override string? Shorthand => "out";

    public override IReadOnlyList<string> SupportClasses { get; } = new[] { Class };

    public override IReadOnlyList<string> PythonClasses { get; } = new[] { "ChannelLinear" };

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var input = context.Input;
        var outChannels = context.Options.Int("out", null, 1, SpecLimits.MaxChannels);
        var bias = context.Options.Bool("bias", true);
        if (outChannels is null || bias is null)
            return null;
        long parameters = input.C * outChannels.Number + (bias.Value ? outChannels.Number : 0);
        long flops = 2 * input.C * outChannels.Number * input.Height * input.Width;
        return new LayerPlan(Key, $"linear over channels {input.Channels.Shown} -> {outChannels.Shown}", TensorShape.Map(outChannels, input.Height, input.Width),
            parameters, flops, new ChannelLinearNode(input.Channels.AsExpr(), outChannels.AsExpr(), bias.Value), Functional: false)
            { Label = context.Numbers && !(input.Channels.IsConstant && outChannels.IsConstant) ? $"linear over channels {input.Channels.Display} -> {outChannels.Display}" : null };
    }

    protected override string TorchSharpType(ChannelLinearNode node) => Class;

    protected override string TorchSharpBuild(ChannelLinearNode node) => $"new {Class}({Cs(node.In)}, {Cs(node.Out)}{(node.Bias ? "" : ", bias: false")})";

    protected override string PyTorchBuild(ChannelLinearNode node) => $"ChannelLinear({Py(node.In)}, {Py(node.Out)}{(node.Bias ? "" : ", bias=False")})";

    internal override string TorchSharpSupport(bool onnx) => $$"""
        /// <summary>
        /// nn.Linear over the channels at every position of an NCHW map (ConvNeXt's Linear between its Permutes): permute to
        /// NHWC, linear, permute back; weight [out, in] and bias [out], initialised as nn.Linear's.
        /// </summary>
        {{GeneratedCode}}
        public sealed class {{Class}} : {{ModuleBase}}{{OnnxInterface(onnx)}}
        {
            private readonly global::TorchSharp.Modules.Parameter weight;
            private readonly global::TorchSharp.Modules.Parameter? bias;

            /// <summary>Builds the layer from <paramref name="inChannels"/> to <paramref name="outChannels"/> channels.</summary>
            public {{Class}}(long inChannels, long outChannels, bool bias = true) : base("ChannelLinear")
            {
                // nn.Linear's initialisation, taken from one.
                using var linear = global::TorchSharp.torch.nn.Linear(inChannels, outChannels, hasBias: bias);
                using (global::TorchSharp.torch.no_grad())
                {
                    this.weight = global::TorchSharp.torch.nn.Parameter(linear.weight!.detach().clone());
                    this.bias = bias ? global::TorchSharp.torch.nn.Parameter(linear.bias!.detach().clone()) : null;
                }

                RegisterComponents();
            }

            /// <inheritdoc />
            public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) =>
                global::TorchSharp.torch.nn.functional.linear(input.permute(0, 2, 3, 1), this.weight, this.bias).permute(0, 3, 1, 2);
        {{OnnxWriter(onnx, "graph.ChannelLinear(path, input, this.weight, this.bias)")}}}
        """;

    internal override string PyTorchSupport => """
        class ChannelLinear(nn.Module):
            # nn.Linear over the channels at every position (ConvNeXt's Linear between Permutes): weight [out, in], bias [out].

            def __init__(self, in_channels, out_channels, bias=True):
                super().__init__()
                self.weight = nn.Parameter(torch.empty(out_channels, in_channels))
                self.bias = nn.Parameter(torch.zeros(out_channels)) if bias else None
                nn.init.kaiming_uniform_(self.weight, a=5 ** 0.5)

            def forward(self, x):
                return F.linear(x.permute(0, 2, 3, 1), self.weight, self.bias).permute(0, 3, 1, 2)
        """;
}
