using System;
using System.Collections.Generic;
using InceptionDsl.Syntax;

namespace InceptionDsl.Kinds;

/// <summary>The engines a node kind can be rendered for.</summary>
[Flags]
public enum Backends
{
    None = 0,
    /// <summary>The generated TorchSharp C# (the source generator).</summary>
    TorchSharp = 1,
    /// <summary>The exported ONNX graph (opset 17).</summary>
    Onnx = 2,
    /// <summary>The emitted PyTorch module (<c>emit --target pytorch</c>).</summary>
    PyTorch = 4,
    All = TorchSharp | Onnx | PyTorch,
}

/// <summary>
/// One node kind of the spec language, described once: its YAML key, what it is, its options (each with type,
/// default and meaning), the option a scalar value stands for, how its value is written (options, or the children of
/// a composite), and the engines that render it. The parser, the JSON schema, the language reference, completion and
/// hover read these (through <see cref="OpCatalog"/> and <see cref="LanguageCatalog"/>); <see cref="NodeKinds"/> lists
/// every kind. A leaf kind whose lowering and renderers are its own derives from <see cref="LayerKind{TNode}"/>.
/// </summary>
public abstract class NodeKind
{
    /// <summary>The kind's key in a node mapping (<c>channel_shuffle</c>).</summary>
    public abstract string Key { get; }

    /// <summary>What the node computes, one sentence for hover and the reference.</summary>
    public abstract string Description { get; }

    /// <summary>The kind's options, in the order the reference lists them.</summary>
    public virtual IReadOnlyList<KeyInfo> Options => Array.Empty<KeyInfo>();

    /// <summary>The option a scalar value sets (<c>channel_shuffle: 2</c> is <c>{ groups: 2 }</c>); null where a scalar is not accepted.</summary>
    public virtual string? Shorthand => null;

    /// <summary>How the kind's value is written: options for a leaf, the children's form for a composite.</summary>
    public virtual OpShape Shape => OpShape.Options;

    /// <summary>Whether the node holds other nodes (seq, concat, residual, gate, select, use).</summary>
    public bool IsComposite => Shape != OpShape.Options;

    /// <summary>The engines that render the kind.</summary>
    public virtual Backends Backends => Backends.All;

    /// <summary>The kind as the syntax catalogue lists it.</summary>
    public OpInfo Info => new(Key, Description, LanguageCatalog.Names(Options), Shorthand, Shape);
}

/// <summary>A kind whose lowering is the lowerer's own (a composite, or a leaf shared with the rest of the language), described here by its syntax.</summary>
public sealed class SyntaxKind : NodeKind
{
    public SyntaxKind(string key, string description, IReadOnlyList<KeyInfo>? options = null, string? shorthand = null, OpShape shape = OpShape.Options)
    {
        Key = key;
        Description = description;
        Options = options ?? Array.Empty<KeyInfo>();
        Shorthand = shorthand;
        Shape = shape;
    }

    public override string Key { get; }

    public override string Description { get; }

    public override IReadOnlyList<KeyInfo> Options { get; }

    public override string? Shorthand { get; }

    public override OpShape Shape { get; }
}
