using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Syntax;

/// <summary>One node kind of the language: its YAML key, options, and scalar shorthand.</summary>
public sealed record OpInfo(string Key, string Description, IReadOnlyList<string> Options, string? ShorthandOption, OpShape Shape);

/// <summary>How a node kind's value is written in YAML.</summary>
public enum OpShape
{
    /// <summary>A mapping of options, or a scalar for the shorthand option, or nothing.</summary>
    Options,
    /// <summary>A list of nodes (seq, gate).</summary>
    NodeList,
    /// <summary>A list of branches (concat).</summary>
    Branches,
    /// <summary>A mapping with body, shortcut and scale (residual).</summary>
    Residual,
    /// <summary>A block name (use).</summary>
    BlockName,
    /// <summary>A mapping with paths, attn and split (select).</summary>
    Select,
}

/// <summary>The node kinds, their options, and the keys every node may carry.</summary>
public static class OpCatalog
{
    public static readonly IReadOnlyList<string> NodeKeys = LanguageCatalog.Names(LanguageCatalog.NodeKeys);

    public static readonly IReadOnlyList<OpInfo> Ops = new[]
    {
        new OpInfo("conv", "2-d convolution, optionally with BatchNorm and activation", Opts("conv"), "filters", OpShape.Options),
        new OpInfo("bn", "BatchNorm2d", Opts("bn"), "eps", OpShape.Options),
    }.Concat(ActivationCatalog.All.Select(a => new OpInfo(a.Key, a.Description, new string[0], null, OpShape.Options))).Concat(new[]
    {
        new OpInfo("identity", "passes its input on unchanged (nn.Identity in a seq, where it holds a position)", new string[0], null, OpShape.Options),
        new OpInfo("maxpool", "2-d max pooling", Opts("maxpool"), "k", OpShape.Options),
        new OpInfo("avgpool", "2-d average pooling", Opts("avgpool"), "k", OpShape.Options),
        new OpInfo("adaptive_avgpool", "adaptive average pooling to a fixed size", Opts("adaptive_avgpool"), "size", OpShape.Options),
        new OpInfo("global_avgpool", "global average pooling, flattened to a vector", new string[0], null, OpShape.Options),
        new OpInfo("dropout", "dropout (active in training only)", Opts("dropout"), "p", OpShape.Options),
        new OpInfo("flatten", "flatten to a vector", new string[0], null, OpShape.Options),
        new OpInfo("linear", "fully connected layer", Opts("linear"), "out", OpShape.Options),
        new OpInfo("chunk", "one of equal parts of the input's channels (torch.chunk on channels: ShuffleNetV2's channel split)", Opts("chunk"), "index", OpShape.Options),
        new OpInfo("layer_norm", "LayerNorm over the channels at every position of a map (torchvision's LayerNorm2d; ConvNeXt's LayerNorm between its Permutes)", Opts("layer_norm"), "eps", OpShape.Options),
        new OpInfo("channel_linear", "a Linear over the channels at every position of a map (nn.Linear's [out, in] weights: ConvNeXt's channels-last MLP)", Opts("channel_linear"), "out", OpShape.Options),
        new OpInfo("layer_scale", "its input times a learned per-channel scale, a [C, 1, 1] parameter of the block itself (state_dict 'layer_scale', ConvNeXt)", Opts("layer_scale"), "init", OpShape.Options),
        new OpInfo("channel_shuffle", "interleaves the channels of its groups (torch.nn.ChannelShuffle, ShuffleNet)", Opts("channel_shuffle"), "groups", OpShape.Options),
        new OpInfo("seq", "a Sequential module of nodes (children named 0, 1, ... unless named)", new string[0], null, OpShape.NodeList),
        new OpInfo("concat", "parallel branches concatenated on channels, in order", new string[0], null, OpShape.Branches),
        new OpInfo("residual", "x + scale * body(x), with an optional projection shortcut", LanguageCatalog.Names(LanguageCatalog.ResidualKeys), null, OpShape.Residual),
        new OpInfo("gate", "its input times the output of its branch (a list of nodes applied to the input), broadcast over the map: squeeze-and-excitation", new string[0], null, OpShape.NodeList),
        new OpInfo("select", "selective kernel: parallel paths added after weighting each channel by a softmax across the paths, which an attention chain computes from their sum (SKNet, timm SelectiveKernel)", LanguageCatalog.Names(LanguageCatalog.SelectKeys), null, OpShape.Select),
        new OpInfo("use", "an instance of a declared block", new string[0], null, OpShape.BlockName),
    }).ToArray();

    private static readonly Dictionary<string, OpInfo> ByKey = Build();

    /// <summary>A kind's option names, from <see cref="LanguageCatalog.Options"/>.</summary>
    private static string[] Opts(string op) => LanguageCatalog.Names(LanguageCatalog.OptionsOf(op));

    public static bool TryGet(string key, out OpInfo info) => ByKey.TryGetValue(key, out info!);

    public static IEnumerable<string> OpKeys
    {
        get
        {
            foreach (var op in Ops)
                yield return op.Key;
        }
    }

    private static Dictionary<string, OpInfo> Build()
    {
        var map = new Dictionary<string, OpInfo>();
        foreach (var op in Ops)
            map[op.Key] = op;
        return map;
    }
}
