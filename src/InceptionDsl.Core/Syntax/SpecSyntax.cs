using InceptionDsl.Expressions;
using InceptionDsl.Text;

namespace InceptionDsl.Syntax;

/// <summary>
/// A spec file as written: what the YAML says, with positions, before any evaluation. Records
/// and <see cref="EquatableArray{T}"/> throughout, so an unchanged spec compares equal.
/// </summary>
public sealed record SpecDocument(
    string Path,
    ModelMetadata Metadata,
    InputDecl Input,
    ExprSyntax Classes,
    EquatableArray<ParamDecl> Params,
    EquatableArray<VariantDecl> Variants,
    EquatableArray<DefaultsDecl> Defaults,
    EquatableArray<BlockDecl> Blocks,
    EquatableArray<NodeSyntax> Body,
    EquatableArray<AuxDecl> Aux,
    SourceSpan Span);

/// <summary>Where the architecture comes from and how well its peer does.</summary>
public sealed record ModelMetadata(string? Paper, string? Peer, double? Top1, double? Top5, string? Notes, string? Reference);

/// <summary>The input the spec is checked for: channels and spatial size.</summary>
public sealed record InputDecl(long Channels, long Height, long Width, SourceSpan Span);

/// <summary>One model a spec declares: the spec's own model, or one variant of a family.</summary>
public sealed record VariantDecl(string Model, EquatableArray<ArgSyntax> Args, ModelMetadata Metadata, SourceSpan Span)
{
    /// <summary>The variant's own class count (an expression over the family's parameters), replacing the spec's <c>classes</c>.</summary>
    public ExprSyntax? Classes { get; init; }

    /// <summary>The variant's own input, replacing the spec's <c>input</c>.</summary>
    public InputDecl? Input { get; init; }

    /// <summary>The model's published weights (<c>weights:</c>), in spec order.</summary>
    public EquatableArray<WeightsDecl> Weights { get; init; }
}

/// <summary>A parameter of the model family or of a block, with its default when optional.</summary>
public sealed record ParamDecl(string Name, ExprSyntax? Default, SourceSpan Span);

/// <summary>A named value computed once in a block (<c>let: { width: $planes * 4 }</c>).</summary>
public sealed record LetDecl(string Name, ExprSyntax Value, SourceSpan Span);

/// <summary>Spec-wide default options of one node kind, e.g. every conv has bn eps 0.001.</summary>
public sealed record DefaultsDecl(string Op, EquatableArray<OptionSyntax> Options, SourceSpan Span);

/// <summary>
/// A reusable block. Without <c>inline</c> it becomes one C# class whose constructor takes the
/// parameters; with <c>inline: true</c> it is a template expanded in place.
/// </summary>
public sealed record BlockDecl(
    string Name,
    EquatableArray<ParamDecl> Params,
    EquatableArray<LetDecl> Lets,
    EquatableArray<NodeSyntax> Body,
    bool Inline,
    string? Doc,
    SourceSpan Span);

/// <summary>An argument passed to a block: named (<c>planes: 64</c>) or positional.</summary>
public sealed record ArgSyntax(string? Name, ExprSyntax Value, SourceSpan Span);

/// <summary>One option of a node, e.g. <c>k: 3</c>.</summary>
public sealed record OptionSyntax(string Key, ExprSyntax Value, SourceSpan Span);

/// <summary>An auxiliary classifier fed by a named top-level node.</summary>
/// <remarks><see cref="RegisterAfter"/> places the head's parameters after another top-level node in
/// the state_dict (torchvision's GoogLeNet registers aux1/aux2 after inception5b); by default
/// they follow the node the head reads.</remarks>
public sealed record AuxDecl(string Name, string At, string Block, EquatableArray<ArgSyntax> Args, double Weight, string? RegisterAfter, SourceSpan Span, SourceSpan AtSpan)
{
    /// <summary>Build the head only when this holds (evaluated with the model's parameters, so a variant can switch it off).</summary>
    public ExprSyntax? Condition { get; init; }
}

/// <summary>
/// One node of a network. <see cref="Op"/> is its kind (conv, bn, relu, maxpool, avgpool,
/// adaptive_avgpool, dropout, flatten, linear, seq, chain, concat, residual, use). Its children:
/// the members of a seq or chain, the branches of a concat, or a residual's body (and shortcut).
/// </summary>
public sealed record NodeSyntax(
    string Op,
    string? Name,
    ExprSyntax? Repeat,
    ExprSyntax? Condition,
    string? Doc,
    string? Block,
    EquatableArray<ArgSyntax> Args,
    EquatableArray<OptionSyntax> Options,
    EquatableArray<NodeSyntax> Children,
    NodeSyntax? Shortcut,
    SourceSpan Span);
