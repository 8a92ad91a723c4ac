using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Semantics;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>
/// The registry of node kinds: every kind of the language, one line each, in the order the reference lists them.
/// A new kind is its file (a <see cref="LayerKind{TNode}"/>: syntax, lowering, renderers) and its line here; the
/// parser, the JSON schema, the language reference, completion, hover, the lowerer and every backend find it here.
/// </summary>
public static class NodeKinds
{
    public static IReadOnlyList<NodeKind> All { get; } = new NodeKind[] { CoreKinds.Conv, new BatchNorm() }
        .Concat(CoreKinds.Activations)
        .Concat(new NodeKind[]
        {
            new Identity(),
            CoreKinds.MaxPool,
            CoreKinds.AvgPool,
            new AdaptiveAvgPool(),
            new GlobalAvgPool(),
            new Dropout(),
            new Flatten(),
            new Linear(),
            new ChannelChunk(),
            new LayerNorm2d(),
            new ChannelLinear(),
            CoreKinds.LayerScale,
            new ChannelShuffle(),
            new GroupNorm(),
            CoreKinds.Seq,
            CoreKinds.Concat,
            CoreKinds.Residual,
            CoreKinds.Gate,
            CoreKinds.Select,
            CoreKinds.Use,
        }).ToArray();

    private static readonly Dictionary<string, NodeKind> ByKey = All.ToDictionary(k => k.Key, StringComparer.Ordinal);

    private static readonly Dictionary<Type, LayerKind> ByNode = All.OfType<LayerKind>().ToDictionary(k => k.NodeType);

    /// <summary>The leaf kinds that carry their own lowering and renderers.</summary>
    public static IEnumerable<LayerKind> Layers => All.OfType<LayerKind>();

    /// <summary>Each leaf kind's options, by kind (composites' keys are their own: <see cref="LanguageCatalog.ResidualKeys"/>, <see cref="LanguageCatalog.SelectKeys"/>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<KeyInfo>> Options { get; } =
        All.Where(k => !k.IsComposite && k.Options.Count > 0).ToDictionary(k => k.Key, k => k.Options, StringComparer.Ordinal);

    public static bool TryGet(string key, out NodeKind kind) => ByKey.TryGetValue(key, out kind!);

    /// <summary>The kind whose lowering and renderers are its own, by key; null for the lowerer's own kinds.</summary>
    internal static LayerKind? Layer(string key) => ByKey.TryGetValue(key, out var kind) ? kind as LayerKind : null;

    /// <summary>The kind that made <paramref name="node"/>, where that kind renders its own nodes; null for torch.nn's modules.</summary>
    internal static LayerKind? Of(ModuleNode node) => ByNode.TryGetValue(node.GetType(), out var kind) ? kind : null;
}
