using System.Collections.Generic;
using InceptionDsl.Expressions;

namespace InceptionDsl.Semantics;

/// <summary>
/// Where lowering currently writes: the class receiving fields, the forward steps being built,
/// the names in scope, and the state_dict path so far (for summary rows).
/// </summary>
internal sealed class Frame
{
    public Frame(ClassBuilder owner, Scope scope, string path, int depth, bool recordLayers)
    {
        Owner = owner;
        Scope = scope;
        Path = path;
        Depth = depth;
        RecordLayers = recordLayers;
    }

    public ClassBuilder Owner { get; }

    public Scope Scope { get; }

    /// <summary>The state_dict prefix of members added here, e.g. <c>layer1.0.</c>.</summary>
    public string Path { get; }

    public int Depth { get; }

    /// <summary>False while lowering a block class for emission only: its rows belong to instances.</summary>
    public bool RecordLayers { get; }

    public Frame WithScope(Scope scope) => new(Owner, scope, Path, Depth, RecordLayers);
}

/// <summary>What one lowered node produced: its output shape and its cost.</summary>
internal readonly record struct Lowered(TensorShape Output, long Parameters, long Flops);

/// <summary>
/// A single layer ready to place: as a field plus a forward call, as a parameter-free function
/// call, or as a child of a Sequential.
/// </summary>
internal sealed record LayerPlan(
    string Kind,
    string Detail,
    TensorShape Output,
    long Parameters,
    long Flops,
    string ModuleType,
    string ModuleInit,
    string? Functional,
    string? ActivationAfter = null,
    bool IsBlock = false,
    int RowIndex = -1)
{
    /// <summary>The in-place form of <see cref="Functional"/> (and of <see cref="ActivationAfter"/>), if it has one.</summary>
    public string? InPlaceFunctional { get; init; }
}
