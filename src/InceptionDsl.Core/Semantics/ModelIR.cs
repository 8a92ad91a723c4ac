using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;

namespace InceptionDsl.Semantics;

/// <summary>
/// A model ready to emit: its class, the block classes it uses, forward steps, and what shape
/// checking measured. Value-equatable (records, <see cref="EquatableArray{T}"/>, strings), with
/// no Roslyn type inside, so the incremental generator can cache it.
/// </summary>
public sealed record ModelIR(
    string ClassName,
    string SpecPath,
    ModelMetadata Metadata,
    long InChannels,
    long Height,
    long Width,
    long Classes,
    ClassIR Body,
    EquatableArray<ClassIR> Blocks,
    EquatableArray<AuxIR> Aux,
    string OutputShape,
    long Parameters,
    long AuxParameters,
    long Flops,
    EquatableArray<LayerRow> Layers,
    EquatableArray<InstanceIR> Instances)
{
    /// <summary>The model's published weights as its spec lists them (<c>weights:</c>); emitted as the nested <c>Weights</c> catalogue.</summary>
    public EquatableArray<WeightsFacts> Weights { get; init; }
}

/// <summary>
/// One emitted module class: the model itself or a block. Its constructor parameters, the
/// values it computes first (lets), its submodule fields, and its forward steps.
/// </summary>
public sealed record ClassIR(
    string Name,
    string? Doc,
    EquatableArray<CtorParamIR> Params,
    EquatableArray<LetIR> Lets,
    EquatableArray<MemberIR> Members,
    EquatableArray<StepIR> Forward,
    string OutputComment);

/// <summary>A constructor parameter: its camel-case name, kind, optional constant default, and the spec's name for it.</summary>
public sealed record CtorParamIR(string Name, SymType Type, Value? Default, string Comment);

/// <summary>A local computed at the top of a constructor (<c>width = planes * 4</c>): its camel-case name, kind and value.</summary>
public sealed record LetIR(string Name, SymType Type, SymExpr Value);

/// <summary>
/// A submodule field: the module it holds (<see cref="Module"/>, typed, for every backend to render).
/// <see cref="StateName"/> is its state_dict segment; when it differs from <see cref="Field"/> the TorchSharp
/// field carries <c>[ComponentName]</c>. A <see cref="Condition"/> makes it optional (null when false).
/// </summary>
public sealed record MemberIR(string Field, string StateName, ModuleNode Module, string Comment, SymExpr? Condition)
{
    /// <summary>A Sequential's children in order (empty for any other module): their names and kinds for the analysers.</summary>
    public EquatableArray<SequentialChildIR> Children { get; init; }
}

/// <summary>
/// One child of a Sequential: its state_dict segment (its position, or its own name), its kind
/// (conv, maxpool, block, seq, ...) and its label as the lowerer writes it (a block's class name);
/// a Sequential child has its own <see cref="Children"/>.
/// </summary>
public sealed record SequentialChildIR(string Name, string Kind, string Label)
{
    public EquatableArray<SequentialChildIR> Children { get; init; }
}

/// <summary>One step of a forward method.</summary>
public abstract record StepIR(string Comment)
{
    /// <summary>
    /// The step's output for the use it was lowered with: exact in the model's own forward; in a
    /// block class, the numbers of the block's first use (each use's are in its <see cref="InstanceIR"/>).
    /// Null for steps that do not transform.
    /// </summary>
    public ShapeIR? Output { get; init; }

    /// <summary>
    /// What the step does: a layer kind (conv, maxpool, relu, linear, block, seq, ...), or concat,
    /// residual, aux. <see cref="Comment"/> is composed from it and <see cref="Label"/>.
    /// </summary>
    public string Kind { get; init; } = "";

    /// <summary>
    /// The step's label, e.g. <c>max pool 3x3/2</c> or <c>conv-bn-relu 3x3, 64</c>; a concat's or
    /// residual's name, an aux tap's head. In a block class, run-time values show as their C#.
    /// </summary>
    public string Label { get; init; } = "";
}

/// <summary>A sample's shape as numbers: channels, height and width, or a flat vector of features.</summary>
public sealed record ShapeIR(long Channels, long Height, long Width, bool IsVector)
{
    public override string ToString() => IsVector ? $"[{Channels}]" : $"[{Channels}, {Height}, {Width}]";
}

/// <summary><c>x = this.field.forward(x)</c>; skipped when the field is optional and null.</summary>
public sealed record ModuleStep(string Field, bool Optional, string Comment) : StepIR(Comment);

/// <summary>A parameter-free operation (<see cref="Operation"/>: an activation, pool, dropout, flatten or identity) applied to the input.</summary>
public sealed record FunctionalStep(ModuleNode Operation, SymExpr? Condition, string Comment) : StepIR(Comment)
{
    /// <summary>
    /// A pool's geometry for the use it was lowered with (null for other operations): exact in the
    /// model's own forward; in a block class, its first use's (each use's are in <see cref="InstanceIR.Geometries"/>).
    /// </summary>
    public LayerGeometry? Geometry { get; init; }

}

/// <summary>Branches applied to the same input, concatenated on channels in order.</summary>
public sealed record ConcatStep(EquatableArray<BranchIR> Branches, string Comment) : StepIR(Comment);

public sealed record BranchIR(string Hint, EquatableArray<StepIR> Steps);

/// <summary><c>body(x) * scale + shortcut(x)</c>.</summary>
public sealed record ResidualStep(EquatableArray<StepIR> Body, EquatableArray<StepIR> Shortcut, SymExpr? Scale, string Comment) : StepIR(Comment)
{
    /// <summary>
    /// The scale's value for the use it was lowered with (1 when none): exact in the model's own
    /// forward; in a block class, its first use's (each use's are in <see cref="InstanceIR.Scales"/>).
    /// </summary>
    public double ScaleValue { get; init; } = 1.0;

    /// <summary>Whether the shortcut's modules were lowered (and registered) before the body's (<c>shortcut_first</c>).</summary>
    public bool ShortcutFirst { get; init; }

    /// <summary>
    /// The condition under which the shortcut is added (<c>add</c> on block parameters, read from a field
    /// at run time); null when it always is. Where it does not hold the step is its body alone.
    /// </summary>
    public SymExpr? AddCondition { get; init; }

    /// <summary>The declared stochastic-depth rate (<c>drop_path</c>): the block's DropPathRate when built; null when not declared.</summary>
    public SymExpr? DropPath { get; init; }
}

/// <summary><c>x * branch(x)</c>, the branch's output broadcast over the map (squeeze-and-excitation).</summary>
public sealed record GateStep(EquatableArray<StepIR> Branch, string Comment) : StepIR(Comment);

/// <summary>
/// Selective kernels: each path of the ModuleList <see cref="PathsField"/> reads the input (or, with
/// <see cref="Split"/>, its i-th channel slice); <see cref="AttnField"/> turns the paths' sum into
/// [paths x C] weights, softmaxed across the paths; the output is the weighted sum of the paths.
/// Its modules are fields, so it has no nested steps.
/// </summary>
public sealed record SelectStep(string PathsField, int PathCount, string AttnField, bool Split, string Comment) : StepIR(Comment);

/// <summary>Where an auxiliary head reads the trunk (model forward only).</summary>
public sealed record AuxTapStep(string AuxField, string Comment) : StepIR(Comment);

/// <summary>An auxiliary classifier: its field, the loss weight, and where it attaches.</summary>
public sealed record AuxIR(string Name, string Field, string At, double Weight, ModuleNode Module, string OutputShape, long Parameters);

/// <summary>
/// One use of a block class, at its state_dict <paramref name="Path"/> (the path of its
/// <see cref="LayerRow"/>). The class's steps carry the numbers of its first use only;
/// <paramref name="Outputs"/> holds what this use's input makes of each of them, one per step of
/// the class's forward in <see cref="StepWalk.PostOrder"/> order. A step this use skips (an <c>if</c>
/// false for its arguments) passes its input on, so its output is that input.
/// </summary>
public sealed record InstanceIR(string Path, string Block, EquatableArray<ShapeIR> Outputs)
{
    /// <summary>
    /// This use's value of each <see cref="ResidualStep"/>'s scale (1 when none), one per residual
    /// step of the class's forward in <see cref="StepWalk.PostOrder"/> order; empty when they are the
    /// class's own (<see cref="ResidualStep.ScaleValue"/>, its first use's).
    /// </summary>
    public EquatableArray<double> Scales { get; init; }

    /// <summary>
    /// This use's label, in numbers, of each <see cref="FunctionalStep"/> of the class where it reads
    /// differently from the step's <see cref="StepIR.Label"/> (a value the class computes at run
    /// time), indexed as <see cref="Outputs"/>; null elsewhere, empty when none does.
    /// </summary>
    public EquatableArray<string?> Labels { get; init; }

    /// <summary>
    /// This use's geometry of each <see cref="FunctionalStep"/> of the class where it differs from
    /// the step's <see cref="FunctionalStep.Geometry"/>, indexed as <see cref="Outputs"/>; null
    /// elsewhere, empty when none does.
    /// </summary>
    public EquatableArray<LayerGeometry?> Geometries { get; init; }
}

/// <summary>
/// A conv's or pool's geometry in numbers for one use: kernel, stride and padding (height, width);
/// a conv's filters and groups (0 and 1 for a pool); a pool's ceil mode and, for an average pool,
/// whether the padding is left out of the count. What its label shows, as data. Every value is
/// within the spec limits (sides up to 2^16, channels up to 2^20).
/// </summary>
public sealed record LayerGeometry(int KernelH, int KernelW, int StrideH, int StrideW, int PadH, int PadW,
    int Filters = 0, int Groups = 1, bool Ceil = false, bool ExcludePad = false);

/// <summary>One row of a layer summary: path, kind, output shape, parameters, FLOPs.</summary>
public sealed record LayerRow(string Path, string Kind, string Detail, int Depth, ShapeIR Shape, long Parameters, long Flops, bool IsBlock)
{
    private readonly string? _label;

    /// <summary>
    /// <see cref="Detail"/> (the generated comment's text) with every value as its number for this
    /// use, e.g. <c>linear 1024 -> 1000</c> where the detail reads <c>linear 1024 -> numClasses</c>.
    /// </summary>
    public string Label { get => _label ?? Detail; init => _label = value; }

    /// <summary>A conv's or pool's geometry in numbers for this use; null for other layers.</summary>
    public LayerGeometry? Geometry { get; init; }

    /// <summary>The output shape as text, e.g. <c>[192, 28, 28]</c>.</summary>
    public string OutputShape => Shape.ToString();
}
