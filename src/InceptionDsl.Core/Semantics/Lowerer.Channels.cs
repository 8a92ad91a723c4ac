using InceptionDsl.Diagnostics;
using InceptionDsl.Emit;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// ShuffleNetV2's channel operations, each a parameter-free module of the support file (so it has no
/// state_dict entry, and writes its own ONNX):
/// <list type="bullet">
/// <item><c>chunk: { parts, index }</c>: <c>x.chunk(parts, 1)[index]</c>, one of equal slices of the channels
/// (torchvision's <c>x1, x2 = x.chunk(2, dim=1)</c>): <see cref="ChannelChunkNode"/>.</item>
/// <item><c>channel_shuffle: groups</c>: torchvision's <c>channel_shuffle(x, groups)</c> (view as [N, g, C/g, H, W],
/// swap the two channel axes, view back), PyTorch's <c>nn.ChannelShuffle</c>: <see cref="ChannelShuffleNode"/>.</item>
/// </list>
/// Both need the channels to divide evenly, checked for each use with its own numbers.
/// </summary>
internal sealed partial class Lowerer
{
    private LayerPlan? PlanChannelOp(string op, string label, Options options, TensorShape input, bool numbers)
    {
        CurrentSpan = options.Span;
        if (!RequireMap(label, input))
            return null;
        return op == "chunk" ? PlanChunk(label, options, input, numbers) : PlanChannelShuffle(label, options, input, numbers);
    }

    private LayerPlan? PlanChunk(string label, Options options, TensorShape input, bool numbers)
    {
        var parts = options.Int("parts", 2, 1, SpecLimits.MaxChannels);
        var index = options.Int("index", null, 0, SpecLimits.MaxChannels);
        if (parts is null || index is null)
            return null;
        if (index.Number >= parts.Number)
        {
            _diagnostics.Add(Descriptors.OutOfRange.Create(options.SpanOf("index"), "index", $"below parts ({parts.Number}): the parts are numbered from 0", index.Number));
            return null;
        }

        if (input.C % parts.Number != 0)
        {
            _diagnostics.Add(Descriptors.ChannelMismatch.Create(options.SpanOf("parts"), label,
                $"cuts its input's {input.C} channels into {parts.Number} equal parts, but {parts.Number} does not divide {input.C}"));
            return null;
        }

        var channels = new IntValue(input.C / parts.Number)
        {
            Expr = input.Channels.IsConstant && parts.IsConstant ? null : new SymBinary("//", input.Channels.AsExpr(), parts.AsExpr()),
        };
        string Describe(System.Func<Value, string> show) => $"channel chunk {show(index)} of {show(parts)}";
        return new LayerPlan("chunk", Describe(Shown), TensorShape.Map(channels, input.Height, input.Width), 0, 0,
            new ChannelChunkNode(parts.AsExpr(), index.AsExpr()), Functional: false)
            { Label = numbers && !(parts.IsConstant && index.IsConstant) ? Describe(Number) : null };
    }

    private LayerPlan? PlanChannelShuffle(string label, Options options, TensorShape input, bool numbers)
    {
        var groups = options.Int("groups", null, 1, SpecLimits.MaxChannels);
        if (groups is null)
            return null;
        if (input.C % groups.Number != 0)
        {
            _diagnostics.Add(Descriptors.ChannelMismatch.Create(options.SpanOf("groups"), label,
                $"shuffles {groups.Number} groups, which must divide its input's {input.C} channels"));
            return null;
        }

        return new LayerPlan("channel_shuffle", $"channel shuffle, {groups.Shown} groups", input, 0, 0, new ChannelShuffleNode(groups.AsExpr()), Functional: false)
            { Label = numbers && !groups.IsConstant ? $"channel shuffle, {groups.Display} groups" : null };
    }
}
