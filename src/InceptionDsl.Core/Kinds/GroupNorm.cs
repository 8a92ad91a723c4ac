using System.Collections.Generic;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>nn.GroupNorm: the channels in <see cref="Groups"/> groups, each normalised over its channels and the map; <c>weight</c>, <c>bias</c> [C].</summary>
public sealed record GroupNormNode(SymExpr Groups, SymExpr Channels, SymExpr Eps) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Groups, Channels, Eps };
}

/// <summary>
/// <c>group_norm: { groups, eps }</c>: PyTorch's nn.GroupNorm (Wu and He, 2018), the normalisation of ResNet-GN and of
/// timm's ResNetV2/BiT, which does not depend on the batch. The groups must divide the channels; weight 1 and bias 0
/// per channel, as PyTorch's. ONNX opset 17 has no GroupNormalization (it came in 18), so the support class writes
/// what PyTorch's exporter writes for 17: InstanceNormalization over [N, groups, rest], then the per-channel affine.
/// </summary>
internal sealed class GroupNorm : LayerKind<GroupNormNode>
{
    private const string Class = "InceptionDslGroupNorm";

    public override string Key => "group_norm";

    public override string Description => "GroupNorm: the channels in groups, each normalised over its channels and the map, then a per-channel scale and shift (nn.GroupNorm; ResNet-GN, BiT)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("groups", "positive integer", null, "How many groups the channels are in; must divide them (required; shorthand 'group_norm: 32')."),
        new KeyInfo("eps", "number", "1e-5", "Added to the variance."),
    };

    public override string? Shorthand => "groups";

    public override IReadOnlyList<string> SupportClasses { get; } = new[] { Class };

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var input = context.Input;
        var groups = context.Options.Int("groups", null, 1, SpecLimits.MaxChannels);
        var eps = context.Options.Number("eps", 1e-5, 0, 1);
        if (groups is null || eps is null)
            return null;
        if (input.C % groups.Number != 0)
        {
            context.ChannelMismatch("groups", $"normalises {groups.Number} groups, which must divide its input's {input.C} channels");
            return null;
        }

        string Describe(System.Func<Value, string> show) => $"groupnorm {show(groups)} groups eps {show(eps)}";
        return new LayerPlan(Key, Describe(v => v.Shown), input, 2 * input.C, 0, new GroupNormNode(groups.AsExpr(), input.Channels.AsExpr(), eps.AsExpr()), Functional: false)
            { Label = context.Numbers && !(groups.IsConstant && eps.IsConstant) ? Describe(v => v.Display) : null };
    }

    protected override string TorchSharpType(GroupNormNode node) => Class;

    protected override string TorchSharpBuild(GroupNormNode node) => $"new {Class}({Cs(node.Groups)}, {Cs(node.Channels)}, eps: {Cs(node.Eps)})";

    protected override string PyTorchBuild(GroupNormNode node) => $"nn.GroupNorm({Py(node.Groups)}, {Py(node.Channels)}, eps={Py(node.Eps)})";

    internal override string TorchSharpSupport(bool onnx) => $$"""
        /// <summary>
        /// GroupNorm (nn.GroupNorm): the channels in <see cref="Groups"/> groups, each normalised over its channels and
        /// the map, then scaled and shifted per channel; weight and bias [C] as PyTorch's.
        /// </summary>
        {{GeneratedCode}}
        public sealed class {{Class}} : {{ModuleBase}}{{OnnxInterface(onnx)}}
        {
            private readonly global::TorchSharp.Modules.Parameter weight;
            private readonly global::TorchSharp.Modules.Parameter bias;

            /// <summary>Builds the GroupNorm of <paramref name="channels"/> channels in <paramref name="groups"/> groups: weight 1, bias 0.</summary>
            public {{Class}}(long groups, long channels, double eps = 1e-5) : base("GroupNorm")
            {
                Groups = groups;
                Eps = eps;
                this.weight = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.ones(channels));
                this.bias = global::TorchSharp.torch.nn.Parameter(global::TorchSharp.torch.zeros(channels));
                RegisterComponents();
            }

            /// <summary>How many groups the channels are in.</summary>
            public long Groups { get; }

            /// <summary>Added to the variance.</summary>
            public double Eps { get; }

            /// <inheritdoc />
            public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input) =>
                global::TorchSharp.torch.nn.functional.group_norm(input, Groups, this.weight, this.bias, Eps);
        {{(onnx ? OnnxWriterMethod : "")}}}
        """;

    /// <summary>Opset 17's GroupNorm, as PyTorch exports it: InstanceNormalization of the groups, reshaped back, then the affine.</summary>
    private const string OnnxWriterMethod = """

            /// <inheritdoc />
            string global::InceptionDsl.Onnx.IOnnxWritable.WriteOnnx(global::InceptionDsl.Onnx.OnnxGraphBuilder graph, string path, string input)
            {
                // Opset 17 has no GroupNormalization: normalise [N, groups, C / groups * H * W] as instances (unit scale, zero
                // shift), take the input's shape back, then scale and shift each channel. The intermediates are no feature maps.
                long channels = graph.ChannelsOf(input);
                var grouped = graph.Operator("Reshape", path + ".group", new[] { input, graph.Int64s(path + ".group_shape", 0, Groups, -1) }, null);
                var unit = graph.Initializer(path + ".unit_scale", global::TorchSharp.torch.ones(Groups), Groups);
                var zero = graph.Initializer(path + ".zero_shift", global::TorchSharp.torch.zeros(Groups), Groups);
                var normalised = graph.Operator("InstanceNormalization", path + ".norm", new[] { grouped, unit, zero }, null, null,
                    global::InceptionDsl.Onnx.OnnxGraphBuilder.Attribute("epsilon", (float)Eps));
                var shape = graph.Operator("Shape", path + ".shape", new[] { input }, null);
                var back = graph.Operator("Reshape", path + ".ungroup", new[] { normalised, shape }, input);
                var scaled = graph.Operator("Mul", path + ".scale", new[] { back, graph.Initializer(path + ".weight", this.weight, channels, 1, 1) }, input);
                return graph.Operator("Add", path, new[] { scaled, graph.Initializer(path + ".bias", this.bias, channels, 1, 1) }, input);
            }

        """;
}
