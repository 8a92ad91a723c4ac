using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;

namespace InceptionDsl.Semantics;

/// <summary>
/// Where lowering currently writes: the class receiving fields, the forward steps being built,
/// the names in scope, and the state_dict path so far (for summary rows).
/// </summary>
internal sealed class Frame
{
    public Frame(ClassBuilder owner, Scope scope, string path, int depth, bool recordLayers, StepTrace? trace = null)
    {
        Owner = owner;
        Scope = scope;
        Path = path;
        Depth = depth;
        RecordLayers = recordLayers;
        Trace = trace;
    }

    public ClassBuilder Owner { get; }

    public Scope Scope { get; }

    /// <summary>The state_dict prefix of members added here, e.g. <c>layer1.0.</c>.</summary>
    public string Path { get; }

    public int Depth { get; }

    /// <summary>False while lowering a block class for emission only: its rows belong to instances.</summary>
    public bool RecordLayers { get; }

    /// <summary>Where the steps of a block's body come from, while lowering its class or one of its uses.</summary>
    public StepTrace? Trace { get; }

    /// <summary>Whether this walks a block's body (its class, or one use of it), whose values are its constructor's.</summary>
    public bool InBlock { get; init; }

    public Frame WithScope(Scope scope) => new(Owner, scope, Path, Depth, RecordLayers, Trace) { InBlock = InBlock };
}

/// <summary>
/// Ties the forward steps of one walk over a block's body to the nodes that made them, so a use
/// (concrete arguments) and the class (symbolic ones) can be matched step by step. Both walks
/// enter the same nodes in the same order; only a node whose <c>if</c> is decided by the use's
/// arguments can be skipped by the use while the class keeps it (as a run-time condition), and
/// such a node is a single layer or block use, never a node holding others.
/// </summary>
internal sealed class StepTrace
{
    private int _entered;

    /// <summary>The node whose steps are being made: its index in entry order.</summary>
    public int Current { get; set; } = -1;

    /// <summary>Each step made, in the order made, with the node that made it, its output and a functional step's label in numbers and geometry.</summary>
    public List<(int Node, ShapeIR? Output, string? Label, LayerGeometry? Geometry)> Steps { get; } = new();

    /// <summary>The scale of each residual step made, in the order made (residuals are never skipped).</summary>
    public List<double> Scales { get; } = new();

    /// <summary>Nodes this walk skipped, with the shape that flowed past them.</summary>
    public List<(int Node, ShapeIR Input)> Skipped { get; } = new();

    /// <summary>Enters a node (skipped or not); returns its index.</summary>
    public int Enter() => _entered++;

    /// <summary>
    /// The output of each of the class's steps for this use, in the order the class made them.
    /// A step the use skipped gets the shape that flowed past it; consecutive equal shapes share one object.
    /// With them, each functional step's label where this use's numbers read differently from the
    /// class's (null elsewhere; empty when none does), and likewise each functional step's geometry.
    /// </summary>
    public (EquatableArray<ShapeIR> Outputs, EquatableArray<string?> Labels, EquatableArray<LayerGeometry?> Geometries) OutputsFor(StepTrace cls, ShapeIR input)
    {
        var outputs = new ShapeIR[cls.Steps.Count];
        string?[]? labels = null;
        LayerGeometry?[]? geometries = null;
        int next = 0;
        var last = input;
        for (int i = 0; i < outputs.Length; i++)
        {
            var node = cls.Steps[i].Node;
            ShapeIR? output = null;
            if (next < Steps.Count && Steps[next].Node == node)
            {
                if (Steps[next].Label is { } label && label != cls.Steps[i].Label)
                    (labels ??= new string?[outputs.Length])[i] = label;
                if (Steps[next].Geometry is { } geometry && !geometry.Equals(cls.Steps[i].Geometry))
                    (geometries ??= new LayerGeometry?[outputs.Length])[i] = geometry;
                output = Steps[next++].Output;
            }
            else
                foreach (var skipped in Skipped)
                    if (skipped.Node == node)
                        output = skipped.Input;
            output ??= last;
            last = output.Equals(last) ? last : output;
            outputs[i] = last;
        }

        return (new EquatableArray<ShapeIR>(outputs), labels is null ? EquatableArray<string?>.Empty : new EquatableArray<string?>(labels),
            geometries is null ? EquatableArray<LayerGeometry?>.Empty : new EquatableArray<LayerGeometry?>(geometries));
    }

    /// <summary>This use's residual scales; empty when they are the class's (its first use's).</summary>
    public EquatableArray<double> ScalesFor(StepTrace cls) =>
        Scales.SequenceEqual(cls.Scales) ? EquatableArray<double>.Empty : Scales.ToEquatableArray();
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
    ModuleNode Module,
    bool Functional,
    LayerPlan? ActivationAfter = null,
    bool IsBlock = false,
    int RowIndex = -1)
{
    /// <summary>
    /// <see cref="Detail"/> with every value as its number, for a use's summary row and graph;
    /// null when it is <see cref="Detail"/> (no value computed at run time, or a class's walk).
    /// </summary>
    public string? Label { get; init; }

    /// <summary>
    /// A conv's or pool's geometry in numbers, for a use's rows and a pool's functional step (a
    /// class's walk has its first use's); null for other layers, and for a conv in a class's walk.
    /// </summary>
    public LayerGeometry? Geometry { get; init; }

    /// <summary>A Sequential's children, as its member carries them.</summary>
    public EquatableArray<SequentialChildIR> Children { get; init; }
}
