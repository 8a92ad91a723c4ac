using System.Collections.Generic;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>torchvision's channel_shuffle(x, groups): view as [N, g, C/g, H, W], swap the two channel axes, view back.</summary>
public sealed record ChannelShuffleNode(SymExpr Groups) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Groups };
}

/// <summary>
/// <c>channel_shuffle: groups</c>: torchvision's <c>channel_shuffle(x, groups)</c>, PyTorch's <c>nn.ChannelShuffle</c>
/// (ShuffleNet). A parameter-free support module on every engine; the groups must divide the channels.
/// </summary>
internal sealed class ChannelShuffle : LayerKind<ChannelShuffleNode>
{
    private const string Class = "InceptionDslChannelShuffle";

    public override string Key => "channel_shuffle";

    public override string Description => "interleaves the channels of its groups (torch.nn.ChannelShuffle, ShuffleNet)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("groups", "positive integer", null, "Groups whose channels are interleaved (required; shorthand 'channel_shuffle: 2')."),
    };

    public override string? Shorthand => "groups";

    public override IReadOnlyList<string> SupportClasses { get; } = new[] { Class };

    public override IReadOnlyList<string> PythonClasses { get; } = new[] { "ChannelShuffle" };

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var input = context.Input;
        var groups = context.Options.Int("groups", null, 1, SpecLimits.MaxChannels);
        if (groups is null)
            return null;
        if (input.C % groups.Number != 0)
        {
            context.ChannelMismatch("groups", $"shuffles {groups.Number} groups, which must divide its input's {input.C} channels");
            return null;
        }

        return new LayerPlan(Key, $"channel shuffle, {groups.Shown} groups", input, 0, 0, new ChannelShuffleNode(groups.AsExpr()), Functional: false)
            { Label = context.Numbers && !groups.IsConstant ? $"channel shuffle, {groups.Display} groups" : null };
    }

    protected override string TorchSharpType(ChannelShuffleNode node) => Class;

    protected override string TorchSharpBuild(ChannelShuffleNode node) => $"new {Class}({Cs(node.Groups)})";

    protected override string PyTorchBuild(ChannelShuffleNode node) => $"ChannelShuffle({Py(node.Groups)})";

    internal override string TorchSharpSupport(bool onnx) => $$"""
        /// <summary>
        /// Interleaves the channels of <see cref="Groups"/> groups: the input viewed as [N, groups, C / groups, H, W],
        /// its two channel axes swapped, viewed back as [N, C, H, W] (torchvision's shufflenetv2.channel_shuffle,
        /// PyTorch's nn.ChannelShuffle). No parameters.
        /// </summary>
        {{GeneratedCode}}
        public sealed class {{Class}} : {{ModuleBase}}{{OnnxInterface(onnx)}}
        {
            /// <summary>Builds the shuffle of <paramref name="groups"/> groups.</summary>
            public {{Class}}(long groups) : base("ChannelShuffle")
            {
                Groups = groups;
            }

            /// <summary>How many groups the channels are in.</summary>
            public long Groups { get; }

            /// <inheritdoc />
            public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input)
            {
                long batch = input.shape[0], channels = input.shape[1], height = input.shape[2], width = input.shape[3];
                return input.view(batch, Groups, channels / Groups, height, width).transpose(1, 2).contiguous().view(batch, channels, height, width);
            }
        {{OnnxWriter(onnx, "graph.ChannelShuffle(path, input, Groups)")}}}
        """;

    internal override string PyTorchSupport => """
        class ChannelShuffle(nn.Module):
            # torchvision's channel_shuffle(x, groups); no parameters.

            def __init__(self, groups):
                super().__init__()
                self.groups = groups

            def forward(self, x):
                n, c, h, w = x.shape
                return x.view(n, self.groups, c // self.groups, h, w).transpose(1, 2).reshape(n, c, h, w)
        """;
}
