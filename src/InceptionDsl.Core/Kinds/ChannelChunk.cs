using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>One of <see cref="Parts"/> equal slices of the channels, the <see cref="Index"/>-th (<c>x.chunk(parts, 1)[index]</c>, ShuffleNetV2).</summary>
public sealed record ChannelChunkNode(SymExpr Parts, SymExpr Index) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Parts, Index };
}

/// <summary>
/// <c>chunk: { parts, index }</c>: ShuffleNetV2's channel split, torchvision's <c>x1, x2 = x.chunk(2, dim=1)</c>. A
/// parameter-free support module on every engine (no state_dict entry); the channels must divide evenly, checked for
/// each use with its own numbers.
/// </summary>
internal sealed class ChannelChunk : LayerKind<ChannelChunkNode>
{
    private const string Class = "InceptionDslChannelChunk";

    public override string Key => "chunk";

    public override string Description => "one of equal parts of the input's channels (torch.chunk on channels: ShuffleNetV2's channel split)";

    public override IReadOnlyList<KeyInfo> Options { get; } = new[]
    {
        new KeyInfo("index", "integer", null, "Which part to keep, from 0 (required; shorthand 'chunk: 1')."),
        new KeyInfo("parts", "positive integer", "2", "How many equal parts the channels are cut into (torch.chunk's chunks)."),
    };

    public override string? Shorthand => "index";

    public override IReadOnlyList<string> SupportClasses { get; } = new[] { Class };

    public override IReadOnlyList<string> PythonClasses { get; } = new[] { "ChannelChunk" };

    internal override LayerPlan? Plan(LayerContext context)
    {
        if (!context.RequireMap())
            return null;
        var options = context.Options;
        var input = context.Input;
        var parts = options.Int("parts", 2, 1, SpecLimits.MaxChannels);
        var index = options.Int("index", null, 0, SpecLimits.MaxChannels);
        if (parts is null || index is null)
            return null;
        if (index.Number >= parts.Number)
        {
            context.Report(Descriptors.OutOfRange.Create(options.SpanOf("index"), "index", $"below parts ({parts.Number}): the parts are numbered from 0", index.Number));
            return null;
        }

        if (input.C % parts.Number != 0)
        {
            context.ChannelMismatch("parts", $"cuts its input's {input.C} channels into {parts.Number} equal parts, but {parts.Number} does not divide {input.C}");
            return null;
        }

        var channels = new IntValue(input.C / parts.Number)
        {
            Expr = input.Channels.IsConstant && parts.IsConstant ? null : new SymBinary("//", input.Channels.AsExpr(), parts.AsExpr()),
        };
        string Describe(System.Func<Value, string> show) => $"channel chunk {show(index)} of {show(parts)}";
        return new LayerPlan(Key, Describe(v => v.Shown), TensorShape.Map(channels, input.Height, input.Width), 0, 0,
            new ChannelChunkNode(parts.AsExpr(), index.AsExpr()), Functional: false)
            { Label = context.Numbers && !(parts.IsConstant && index.IsConstant) ? Describe(v => v.Display) : null };
    }

    protected override string TorchSharpType(ChannelChunkNode node) => Class;

    protected override string TorchSharpBuild(ChannelChunkNode node) => $"new {Class}({Cs(node.Parts)}, {Cs(node.Index)})";

    protected override string PyTorchBuild(ChannelChunkNode node) => $"ChannelChunk({Py(node.Parts)}, {Py(node.Index)})";

    internal override string TorchSharpSupport(bool onnx) => $$"""
        /// <summary>
        /// One of <see cref="Parts"/> equal slices of the input's channels, the one at <see cref="Index"/> (torch.chunk on
        /// dim 1: ShuffleNetV2's channel split, <c>x1, x2 = x.chunk(2, dim=1)</c>). No parameters.
        /// </summary>
        {{GeneratedCode}}
        public sealed class {{Class}} : {{ModuleBase}}{{OnnxInterface(onnx)}}
        {
            /// <summary>Builds the slice <paramref name="index"/> of <paramref name="parts"/>.</summary>
            public {{Class}}(long parts, long index) : base("ChannelChunk")
            {
                Parts = parts;
                Index = index;
            }

            /// <summary>How many equal slices the channels are cut into.</summary>
            public long Parts { get; }

            /// <summary>The slice this module returns, from 0.</summary>
            public long Index { get; }

            /// <inheritdoc />
            public override global::TorchSharp.torch.Tensor forward(global::TorchSharp.torch.Tensor input)
            {
                long size = input.shape[1] / Parts;
                return input.narrow(1, Index * size, size);
            }
        {{OnnxWriter(onnx, "graph.ChannelChunk(path, input, Parts, Index)")}}}
        """;

    internal override string PyTorchSupport => """
        class ChannelChunk(nn.Module):
            # One of parts equal slices of the channels (ShuffleNetV2's x.chunk(2, dim=1)[i]); no parameters.

            def __init__(self, parts, index):
                super().__init__()
                self.parts, self.index = parts, index

            def forward(self, x):
                return x.chunk(self.parts, 1)[self.index]
        """;
}
