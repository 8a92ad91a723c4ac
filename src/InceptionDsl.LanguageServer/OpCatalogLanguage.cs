using InceptionDsl.Syntax;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// The language's words from Core's <see cref="OpCatalog"/> (node kinds and their options) and the
/// document keys the reader checks (a test keeps these lists equal to <c>SpecReader</c>'s). Option
/// defaults and descriptions are those the lowerer applies (Semantics/Options.cs and the layer planners).
/// </summary>
public sealed class OpCatalogLanguage : ILanguageCatalog
{
    public static OpCatalogLanguage Instance { get; } = new();

    public IReadOnlyList<CatalogEntry> TopKeys { get; } = new CatalogEntry[]
    {
        new("$schema", "The JSON Schema an editor validates against (inceptiondsl.schema.json)."),
        new("model", "The C# class name of the model (or use variants)."),
        new("paper", "The paper the architecture comes from."),
        new("peer", "The implementation whose layout and state_dict names the spec follows."),
        new("accuracy", "Top-1/top-5 accuracy of the peer's weights: { top1, top5 }."),
        new("notes", "Free text about the spec."),
        new("reference", "Id of the reference file (models/<id>.json)."),
        new("input", "The input the spec is checked for: { channels, size: [h, w] }."),
        new("classes", "Number of classes (a run-time constructor option).", "1000"),
        new("params", "Family parameters: names, or name: default; variants give their values."),
        new("variants", "The models of a family: model, args and metadata each."),
        new("defaults", "Spec-wide default options per node kind, e.g. conv: { bias: false }."),
        new("blocks", "Reusable blocks: a C# class each (or inline: true templates)."),
        new("body", "The model's nodes in forward order."),
        new("aux", "Auxiliary classifiers: name, at (a top-level node), use (a block), args, weight."),
        new("weights", "Published pretrained weights: name, file, sha256, source, license, mean, std, size, crop, interpolation, top1/top5 with cite."),
    };

    public IReadOnlyList<CatalogEntry> BlockKeys { get; } = new CatalogEntry[]
    {
        new("params", "The block's parameters: names, or name: default."),
        new("let", "Locals computed once: name: expression."),
        new("body", "The block's nodes in forward order."),
        new("inline", "true: a template expanded in place instead of a class.", "false"),
        new("doc", "What the block is (the generated class's summary)."),
    };

    public IReadOnlyList<CatalogEntry> VariantKeys { get; } = new CatalogEntry[]
    {
        new("model", "The variant's C# class name."),
        new("args", "Values of the family parameters."),
        new("paper", "The paper of this variant."),
        new("peer", "The implementation this variant follows."),
        new("accuracy", "Top-1/top-5 of the peer's weights."),
        new("notes", "Free text."),
        new("reference", "Id of the reference file."),
        new("classes", "This variant's class count; may use the family's parameters.", "the spec's classes"),
        new("input", "This variant's input: { channels, size }.", "the spec's input"),
        new("weights", "This variant's published pretrained weights."),
    };

    /// <summary>The keys of a weights entry, as the language catalog describes them.</summary>
    public IReadOnlyList<CatalogEntry> WeightsKeys { get; } = LanguageCatalog.WeightsKeys.Select(k => new CatalogEntry(k.Name, k.Description, k.Default)).ToList();

    public IReadOnlyList<CatalogEntry> AuxKeys { get; } = new CatalogEntry[]
    {
        new("name", "The head's state_dict name."),
        new("at", "The top-level node whose output the head reads."),
        new("use", "The block that makes the head."),
        new("args", "Arguments of that block."),
        new("weight", "Loss weight in training.", "1"),
        new("register_after", "Place the head's parameters after this node in the state_dict."),
        new("if", "Build the head only when this holds (a model parameter: a variant can leave it out)."),
    };

    public IReadOnlyList<CatalogEntry> NodeKeys { get; } = new CatalogEntry[]
    {
        new("name", "The state_dict segment ({i} is the repeat index); default: kind and position."),
        new("repeat", "Repeat the node this many times.", "1"),
        new("if", "Create the node only when this holds."),
        new("doc", "A comment carried into the generated code."),
        new("args", "Arguments of the block a use instantiates."),
    };

    public IReadOnlyList<CatalogEntry> NodeKinds { get; } = OpCatalog.Ops.Select(op => new CatalogEntry(op.Key, op.Description
        + (op.ShorthandOption is null ? "" : $" (a scalar value is its {op.ShorthandOption})"))).ToList();

    private static readonly Dictionary<string, (string Description, string? Default)> Options = new()
    {
        ["filters"] = ("Output channels.", null),
        ["k"] = ("Kernel size: n or [h, w].", null),
        ["stride"] = ("Stride: n or [h, w].", "1 (a pool: its kernel)"),
        ["pad"] = ("Padding: n, [h, w], 'same' or 'valid' (conv).", "0"),
        ["dilation"] = ("Dilation: n or [h, w].", "1"),
        ["groups"] = ("Grouped convolution: input and output channels split into this many groups.", "1"),
        ["bias"] = ("Whether the layer has a bias.", "conv: true without bn, false with it; linear: true"),
        ["bn"] = ("BatchNorm after the conv: true, or { eps, momentum }.", "false"),
        ["eps"] = ("BatchNorm epsilon.", "0.00001"),
        ["momentum"] = ("BatchNorm momentum.", "0.1"),
        ["act"] = ("Activation after the conv: " + string.Join(", ", ActivationCatalog.Keys) + " or none.", "none"),
        ["ceil"] = ("Round the output size up (ceil_mode).", "false"),
        ["count_include_pad"] = ("Count padding in the average.", "true"),
        ["size"] = ("Output size: n or [h, w].", null),
        ["p"] = ("Drop probability.", "0.5"),
        ["out"] = ("Output features.", null),
        ["in"] = ("Input features, checked against the input.", "from the input"),
        ["body"] = ("The residual branch's nodes.", null),
        ["shortcut"] = ("A projection node on the identity path (1x1 conv + BN).", "identity"),
        ["scale"] = ("Multiplies the body's output before the add.", "1"),
        ["drop_path"] = ("Stochastic depth rate of the body in training (row mode, as torchvision's StochasticDepth).", "0"),
        ["add"] = ("Whether the shortcut is added: false makes the node its body alone (torchvision's use_res_connect).", "true"),
        ["shortcut_first"] = ("Register the shortcut's modules before the body's (the state_dict order of timm's Xception).", "false"),
        ["paths"] = SelectKey("paths"),
        ["attn"] = SelectKey("attn"),
        ["split"] = SelectKey("split"),
    };

    /// <summary>A select's key as the language catalog describes it.</summary>
    private static (string Description, string? Default) SelectKey(string name)
    {
        var key = LanguageCatalog.SelectKeys.First(k => k.Name == name);
        return (key.Description, key.Default);
    }

    /// <summary>
    /// Kinds whose options mean something of their own (a shuffle's groups, a LayerNorm's eps): every kind that describes
    /// itself (Core's Kinds/), and a layer scale; described as the kind describes them.
    /// </summary>
    private static readonly HashSet<string> OwnOptionTexts = new(InceptionDsl.Kinds.NodeKinds.Layers.Select(k => k.Key).Append("layer_scale"));

    public IReadOnlyList<CatalogEntry> OptionsOf(string kind) =>
        OwnOptionTexts.Contains(kind)
            ? LanguageCatalog.OptionsOf(kind).Select(k => new CatalogEntry(k.Name, k.Description, k.Default)).ToList()
        : OpCatalog.TryGet(kind, out var op)
            ? op.Options.Select(o => Options.TryGetValue(o, out var d) ? new CatalogEntry(o, d.Description, d.Default) : new CatalogEntry(o, o)).ToList()
            : Array.Empty<CatalogEntry>();
}
