using System.Collections.Generic;
using System.Linq;

namespace InceptionDsl.Syntax;

/// <summary>
/// One key of the spec language: its name, what its value is, its default (null when it is required
/// or has none), and what it means. The parser accepts exactly these keys, the JSON schema
/// (specs/inceptiondsl.schema.json) and the language reference (docs/language.md) are written from
/// them, and editors read their completion data here.
/// </summary>
public sealed record KeyInfo(string Name, string Type, string? Default, string Description);

/// <summary>An operator of the expression language, with its precedence group and meaning.</summary>
public sealed record OperatorInfo(string Operator, string Group, string Description);

/// <summary>
/// The one description of the language: every mapping's keys (top level, variant, block, aux head,
/// input, accuracy, node, residual), every node kind's options (each kind's own, in <see cref="Kinds.NodeKinds"/>)
/// and the expression operators. <see cref="SpecReader"/> validates against it; the schema writer
/// and the reference generator render it; tests keep the three in step.
/// </summary>
public static class LanguageCatalog
{
    private const string Expr = "expression";

    /// <summary>The keys of a spec's top-level mapping.</summary>
    public static IReadOnlyList<KeyInfo> TopKeys { get; } = new[]
    {
        new KeyInfo("$schema", "text", null, "The JSON schema the editor checks the file with (ignored by the generator)."),
        new KeyInfo("model", "C# type name", null, "The model's class name; a spec names its model either here or in 'variants'."),
        new KeyInfo("paper", "text", null, "The paper the architecture comes from."),
        new KeyInfo("peer", "text", null, "The implementation whose layout and state_dict names the spec follows (e.g. 'timm resnet50d')."),
        new KeyInfo("accuracy", "mapping", null, "The peer's published accuracy: { top1, top5 } in percent."),
        new KeyInfo("notes", "text", null, "Free text about the model, shown by explain."),
        new KeyInfo("reference", "text", null, "Id of the peer's reference file (../shared/reference/models/<id>.json) that verify compares with."),
        new KeyInfo("input", "mapping", null, "The input the model is checked for: { channels, size } (required)."),
        new KeyInfo("classes", Expr, "1000", "The number of classes; an expression that may use the family's parameters."),
        new KeyInfo("params", "list", "[]", "The family's parameters: names, or 'name: default' (a default may use the parameters before it)."),
        new KeyInfo("variants", "list", null, "The models of a family: each a mapping with 'model' and 'args' (and its own metadata, classes, input)."),
        new KeyInfo("defaults", "mapping", null, "Options every node of a kind takes unless it gives its own, e.g. conv: { bias: false }."),
        new KeyInfo("blocks", "mapping", null, "Reusable blocks by name: each a class (or with 'inline: true' a template)."),
        new KeyInfo("body", "list of nodes", null, "The network, node after node (required)."),
        new KeyInfo("aux", "list", null, "Auxiliary classifiers: each { name, at, use, args, weight, register_after, if }."),
        new KeyInfo("weights", "list", null, "The model's published pretrained weights, each with its file, sha256, license, preprocessing and cited accuracy (a spec with 'model'; a family lists them per variant)."),
    };

    /// <summary>The keys of one variant of a family.</summary>
    public static IReadOnlyList<KeyInfo> VariantKeys { get; } = new[]
    {
        new KeyInfo("model", "C# type name", null, "The variant's class name (required)."),
        new KeyInfo("args", "mapping or list", null, "Values of the family's parameters, named or positional."),
        new KeyInfo("paper", "text", "the spec's", "The paper of this variant."),
        new KeyInfo("peer", "text", "the spec's", "The implementation this variant follows."),
        new KeyInfo("accuracy", "mapping", "the spec's", "The variant's published accuracy."),
        new KeyInfo("notes", "text", "the spec's", "Free text about this variant."),
        new KeyInfo("reference", "text", "the spec's", "Id of this variant's reference file."),
        new KeyInfo("classes", Expr, "the spec's classes", "This variant's class count; may use the family's parameters."),
        new KeyInfo("input", "mapping", "the spec's input", "This variant's input: { channels, size }."),
        new KeyInfo("weights", "list", null, "This variant's published pretrained weights (see 'A weights entry')."),
    };

    /// <summary>The keys of a block definition.</summary>
    public static IReadOnlyList<KeyInfo> BlockKeys { get; } = new[]
    {
        new KeyInfo("params", "list", "[]", "The block's parameters: names, or 'name: default' (a default may use the parameters before it). $in_channels is always defined."),
        new KeyInfo("let", "mapping", null, "Values computed once from the parameters: name: expression."),
        new KeyInfo("body", "list of nodes", null, "The block's nodes (required)."),
        new KeyInfo("inline", "true or false", "false", "true: a template expanded in place (its nodes become the user's; in a seq its members take the next positions), not a class of its own."),
        new KeyInfo("doc", "text", null, "What the block is, for the generated class's documentation."),
    };

    /// <summary>The keys of an auxiliary head.</summary>
    public static IReadOnlyList<KeyInfo> AuxKeys { get; } = new[]
    {
        new KeyInfo("name", "state_dict name", null, "The head's name in the state_dict (required)."),
        new KeyInfo("at", "node name", null, "The top-level node whose output the head reads (required)."),
        new KeyInfo("use", "block name", null, "The block that makes the head (required)."),
        new KeyInfo("args", "mapping or list", null, "Arguments of that block."),
        new KeyInfo("weight", "number", "0.3", "The head's loss weight in training."),
        new KeyInfo("register_after", "node name", "the node at 'at'", "Place the head's parameters after this top-level node in the state_dict."),
        new KeyInfo("if", Expr, "true", "Build the head only when this holds (a model parameter: switch it per variant); the generated class also takes auxLogits: false."),
    };

    /// <summary>The keys of the input mapping.</summary>
    public static IReadOnlyList<KeyInfo> InputKeys { get; } = new[]
    {
        new KeyInfo("channels", "positive integer", "3", "Input channels (a run-time option of the generated class)."),
        new KeyInfo("size", "integer or [height, width]", null, "The spatial size shapes are checked for (required)."),
    };

    /// <summary>The keys of the accuracy mapping.</summary>
    public static IReadOnlyList<KeyInfo> AccuracyKeys { get; } = new[]
    {
        new KeyInfo("top1", "number", null, "Top-1 accuracy in percent."),
        new KeyInfo("top5", "number", null, "Top-5 accuracy in percent."),
    };

    /// <summary>The keys of one entry of <c>weights</c>: a published weights file and its facts.</summary>
    public static IReadOnlyList<KeyInfo> WeightsKeys { get; } = new[]
    {
        new KeyInfo("name", "C# name", null, "The entry's name in the generated catalogue, e.g. ImageNet1K_V1 for ResNet50.Weights.ImageNet1K_V1 (required)."),
        new KeyInfo("file", "text", null, "The published file's name, e.g. resnet50-0676ba61.pth (required)."),
        new KeyInfo("sha256", "8 to 64 hex digits", null, "The file's SHA-256, or its first 8 or more hex digits as torch.hub file names carry them; a prefix is compared as a prefix (required)."),
        new KeyInfo("source", "text", null, "Where the file is published, e.g. its URL (required)."),
        new KeyInfo("license", "text", null, "The weights' license, e.g. BSD-3-Clause (required)."),
        new KeyInfo("mean", "list of numbers", null, "Normalisation mean, one value per input channel (required)."),
        new KeyInfo("std", "list of numbers", null, "Normalisation standard deviation, one positive value per input channel (required)."),
        new KeyInfo("size", "integer or [height, width]", "the model's input size", "The input size the weights were evaluated at; equals the model's input size."),
        new KeyInfo("crop", "number in (0, 1]", "none", "The center crop's share of the resized image (0.875: resize the shorter side to size / 0.875, crop the size); none: resize to the size."),
        new KeyInfo("interpolation", "bilinear, bicubic or nearest", "bilinear", "How images are resized."),
        new KeyInfo("top1", "number in [0, 100]", null, "Top-1 accuracy in percent that the source reports (needs 'cite')."),
        new KeyInfo("top5", "number in [0, 100]", null, "Top-5 accuracy in percent that the source reports (needs 'cite')."),
        new KeyInfo("cite", "text", null, "Where top1/top5 come from (required with them)."),
    };

    /// <summary>The keys any node may carry besides its kind.</summary>
    public static IReadOnlyList<KeyInfo> NodeKeys { get; } = new[]
    {
        new KeyInfo("name", "state_dict name", "the position (in a seq), or kind + number", "The node's state_dict segment; in a repeated node {i} is the copy's index and {i+4} any expression of it."),
        new KeyInfo("repeat", Expr, "1", "Make this many copies. A count from model parameters is expanded at build time; in a block, a seq member's count may use the block's parameters (a loop of its constructor)."),
        new KeyInfo("if", Expr, "true", "Make the node only when this holds. A model parameter decides at build time; a block parameter when the block is constructed (a seq member is then left out and the members after it move up)."),
        new KeyInfo("doc", "text", null, "What the node is, for comments and explain."),
        new KeyInfo("args", "mapping or list", null, "With 'use': the block's arguments, named or positional."),
    };

    /// <summary>The keys of a residual's mapping.</summary>
    public static IReadOnlyList<KeyInfo> ResidualKeys { get; } = new[]
    {
        new KeyInfo("body", "list of nodes", null, "The residual branch (required)."),
        new KeyInfo("shortcut", "node, list of nodes, or identity", "identity", "The shortcut; with an 'if' on a block parameter, a projection only some uses have."),
        new KeyInfo("scale", Expr, "1", "The body's output is multiplied by this before the add."),
        new KeyInfo("shortcut_first", "true or false", "false", "Register the shortcut's modules before the body's (state_dict order, as timm's Xception)."),
        new KeyInfo("drop_path", Expr, "0", "Stochastic depth in training: the rate at which the body's output is dropped for whole samples (the rest scaled by 1 / (1 - rate): torchvision's StochasticDepth in row mode), set when the block is built, e.g. '0.2 * $index / 16'; a block holds one such rate (IDropPath), which DropPathSchedule may reset."),
        new KeyInfo("add", Expr, "true", "Whether the shortcut is added: false makes the node its body alone. On block parameters ('$stride == 1 && $in_channels == $filters', torchvision's use_res_connect) one block serves both cases; the shapes must agree only where it holds."),
    };

    /// <summary>The keys of a select's mapping (selective kernels: paths weighted by a softmax across them).</summary>
    public static IReadOnlyList<KeyInfo> SelectKeys { get; } = new[]
    {
        new KeyInfo("paths", "list of nodes", null, "The parallel paths (required, at least two), each one module (a conv with bn, a seq, a block use) registered as paths.0, paths.1, ... (timm's ModuleList); all must give the same shape."),
        new KeyInfo("attn", "list of nodes", null, "The attention (required): a Sequential registered as attn (members keep their names, e.g. fc_reduce, bn, fc_select) applied to the sum of the paths; it gives paths x channels weights over one pixel or the map, softmaxed across the paths."),
        new KeyInfo("split", Expr, "false", "Split the input's channels evenly across the paths (timm split_input): path i reads the i-th slice. Known at build time (a model parameter)."),
    };

    /// <summary>The options of each leaf node kind that takes options, by kind: each kind's own list (<see cref="Kinds.NodeKinds"/>).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<KeyInfo>> Options => Kinds.NodeKinds.Options;

    /// <summary>The expression operators, loosest first.</summary>
    public static IReadOnlyList<OperatorInfo> Operators { get; } = new[]
    {
        new OperatorInfo("c ? a : b", "conditional", "a when c holds, else b; decided at build time when c is a constant, else kept as C#."),
        new OperatorInfo("||", "or", "either holds."),
        new OperatorInfo("&&", "and", "both hold."),
        new OperatorInfo("== !=", "equality", "numbers, true/false or words compared."),
        new OperatorInfo("< <= > >=", "comparison", "numbers compared."),
        new OperatorInfo("+ -", "additive", "sum, difference."),
        new OperatorInfo("* / // %", "multiplicative", "product, division (a number), floor division and remainder (integers)."),
        new OperatorInfo("- !", "unary", "negation, not."),
        new OperatorInfo("x[i]", "index", "the i-th item of a constant list ($depths[$stage])."),
        new OperatorInfo("min(a, ...) max(a, ...)", "call", "the smallest, the largest."),
        new OperatorInfo("make_divisible(v, d[, m])", "call", "v rounded to the nearest multiple of d, at least m (default d), one d more where that lost over 10% of v: torchvision's and timm's _make_divisible for channel widths."),
        new OperatorInfo("$name", "variable", "a parameter, let, $in_channels, $classes or (in a repeated node) $i; true and false count as 1 and 0 in arithmetic."),
    };

    /// <summary>The options of <paramref name="op"/> (empty for kinds without options).</summary>
    public static IReadOnlyList<KeyInfo> OptionsOf(string op) => Options.TryGetValue(op, out var options) ? options : System.Array.Empty<KeyInfo>();

    /// <summary>The names of <paramref name="keys"/>, for the parser.</summary>
    public static string[] Names(IEnumerable<KeyInfo> keys) => keys.Select(k => k.Name).ToArray();
}
