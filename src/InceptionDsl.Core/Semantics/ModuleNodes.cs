using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;

namespace InceptionDsl.Semantics;

/// <summary>
/// A module a generated class builds, as data: its kind and typed attributes, every size an expression tree
/// (a constant, or what the constructor computes from its parameters). No target's text: the TorchSharp
/// renderer (<see cref="Emit.TorchSharpModules"/>) and the PyTorch renderer each write it their way, and the
/// state_dict a module makes is the same in both (the names PyTorch gives each kind's parameters).
/// </summary>
public abstract record ModuleNode
{
    /// <summary>The expressions the module's attributes hold, at any depth (for the names they read).</summary>
    public abstract IEnumerable<SymExpr> Expressions();

    /// <summary>The names the module's attributes read (constructor parameters, lets, loop locals).</summary>
    public IEnumerable<string> Names() => Expressions().SelectMany(e => e.Names());
}

/// <summary>A height and width pair (kernel, stride, padding, dilation, output size).</summary>
public sealed record SymPair(SymExpr H, SymExpr W)
{
    public IEnumerable<SymExpr> Both() => new[] { H, W };

    /// <summary>Whether both sides are the constant <paramref name="number"/>.</summary>
    public bool Is(long number) => IsConstant(H, number) && IsConstant(W, number);

    public static bool IsConstant(SymExpr expression, long number) => expression is SymLiteral { Constant: IntValue i } && i.Number == number;

    public static SymPair Of((IntValue H, IntValue W) pair) => new(pair.H.AsExpr(), pair.W.AsExpr());
}

/// <summary>nn.Conv2d: <c>weight</c> [out, in / groups, kh, kw] and, with <see cref="Bias"/>, <c>bias</c>.</summary>
public sealed record Conv2dNode(SymExpr In, SymExpr Out, SymPair Kernel, SymPair Stride, SymPair Padding, SymPair Dilation, SymExpr Groups, bool Bias) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() =>
        new[] { In, Out, Groups }.Concat(Kernel.Both()).Concat(Stride.Both()).Concat(Padding.Both()).Concat(Dilation.Both());
}

/// <summary>
/// The conv unit (torchvision's and timm's BasicConv2d): <c>conv</c> (a <see cref="Conv2dNode"/>), <c>bn</c>
/// (BatchNorm2d with <see cref="Eps"/> and <see cref="Momentum"/>), then <see cref="Activation"/> (an activation
/// kind, or "none"), which has no parameters.
/// </summary>
public sealed record ConvUnitNode(Conv2dNode Conv, SymExpr Eps, SymExpr Momentum, string Activation) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Conv.Expressions().Concat(new[] { Eps, Momentum });
}

/// <summary>nn.BatchNorm2d: <c>weight</c>, <c>bias</c>, <c>running_mean</c>, <c>running_var</c>, <c>num_batches_tracked</c>.</summary>
public sealed record BatchNormNode(SymExpr Features, SymExpr Eps, SymExpr Momentum) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Features, Eps, Momentum };
}

/// <summary>A parameter-free activation module of a kind in <see cref="Syntax.ActivationCatalog"/>.</summary>
public sealed record ActivationNode(string Kind) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Enumerable.Empty<SymExpr>();
}

/// <summary>Max (<see cref="Max"/>) or average pooling with its geometry; an average pool may leave the padding out of its count.</summary>
public sealed record PoolNode(bool Max, SymPair Kernel, SymPair Stride, SymPair Padding, bool Ceil, bool CountIncludePad) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Kernel.Both().Concat(Stride.Both()).Concat(Padding.Both());
}

/// <summary>Adaptive average pooling to a fixed size.</summary>
public sealed record AdaptiveAvgPoolNode(SymPair Size) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Size.Both();
}

/// <summary>Global average pooling flattened to a vector (a Sequential of adaptive pooling to 1 and flatten).</summary>
public sealed record GlobalAvgPoolNode : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Enumerable.Empty<SymExpr>();
}

/// <summary>Dropout with probability <see cref="P"/> (training only).</summary>
public sealed record DropoutNode(SymExpr P) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { P };
}

/// <summary>Flattens all but the batch dimension.</summary>
public sealed record FlattenNode : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Enumerable.Empty<SymExpr>();
}

/// <summary>nn.Linear: <c>weight</c> [out, in] and, with <see cref="Bias"/>, <c>bias</c>.</summary>
public sealed record LinearNode(SymExpr In, SymExpr Out, bool Bias) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { In, Out };
}

/// <summary>nn.Identity (holds a position in a Sequential).</summary>
public sealed record IdentityNode : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Enumerable.Empty<SymExpr>();
}

/// <summary>
/// An instance of a generated block class: its input channels, then the arguments the use gives by parameter
/// name (camel case), each an expression of the enclosing class's values.
/// </summary>
public sealed record BlockInstanceNode(string Class, SymExpr InChannels, EquatableArray<BlockArgument> Arguments) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { InChannels }.Concat(Arguments.Select(a => a.Value));
}

/// <summary>One named argument of a block's constructor.</summary>
public sealed record BlockArgument(string Name, SymExpr Value);

/// <summary>A list of modules indexed by position (a select's paths).</summary>
public sealed record ModuleListNode(EquatableArray<ModuleNode> Items) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Items.SelectMany(i => i.Expressions());
}

/// <summary>
/// nn.Sequential: its members in order, each at its position (0, 1, ...) unless named. A member may be built only
/// where a condition holds (left out, the later ones move up), and a repeat counted by a constructor parameter
/// is a loop (<see cref="SequentialLoop"/>).
/// </summary>
public sealed record SequentialNode(EquatableArray<SequentialItem> Items) : ModuleNode
{
    /// <summary>The builder list's name where a loop needs one: a name none of the constructor's parameters, lets or locals has.</summary>
    public string? ListName { get; init; }

    public override IEnumerable<SymExpr> Expressions() => Items.SelectMany(i => i.Expressions());

    /// <summary>Whether every member is always there at its walk's position, so the plainest form builds it.</summary>
    public bool IsPlain => Items.All(i => i is SequentialMember { Condition: null } m && (m.Name is null || m.NamedByPosition));
}

/// <summary>What a Sequential's constructor adds, in order.</summary>
public abstract record SequentialItem
{
    public abstract IEnumerable<SymExpr> Expressions();
}

/// <summary>
/// A member: its name as parts of text (null: its position among the members kept, counted as the constructor
/// builds), its position in the lowering walk, the condition it is built under, and the module.
/// </summary>
public sealed record SequentialMember(EquatableArray<SymExpr>? Name, string Position, SymExpr? Condition, ModuleNode Module) : SequentialItem
{
    /// <summary>Whether the member's name is just its own position (a literal).</summary>
    public bool NamedByPosition => Name is { Count: 1 } parts && parts[0] is SymLiteral { Constant: StringValue text } && text.Text == Position;

    public override IEnumerable<SymExpr> Expressions() =>
        (Name ?? EquatableArray<SymExpr>.Empty).Concat(Condition is null ? Enumerable.Empty<SymExpr>() : new[] { Condition }).Concat(Module.Expressions());

    /// <summary>
    /// Members are the same when they build the same: the walk's position is left out, since where a member before it
    /// is conditional the constructor counts positions itself, and two uses of a class place it differently.
    /// </summary>
    public bool Equals(SequentialMember? other) =>
        other is not null && Nullable.Equals(Name, other.Name) && Equals(Condition, other.Condition) && Module.Equals(other.Module);

    public override int GetHashCode() => (Name, Condition, Module).GetHashCode();
}

/// <summary>
/// A loop of the constructor over <see cref="Index"/> from 0 to <see cref="Count"/>: its members once per copy.
/// Where the copies change the channels, the local <see cref="Carried"/> takes each copy's output (<see cref="Next"/>),
/// starting from <see cref="Reset"/> where the declaration does not already hold the start.
/// </summary>
public sealed record SequentialLoop(string Index, SymExpr Count, string? Carried, SymExpr? Reset, SymExpr? Next, EquatableArray<SequentialItem> Body) : SequentialItem
{
    public override IEnumerable<SymExpr> Expressions() =>
        new[] { Count }.Concat(Reset is null ? Enumerable.Empty<SymExpr>() : new[] { Reset }).Concat(Next is null ? Enumerable.Empty<SymExpr>() : new[] { Next })
            .Concat(Body.SelectMany(b => b.Expressions()));
}

/// <summary>A parameter of the class itself (ConvNeXt's layer_scale): a [C, 1, 1] tensor filled with <see cref="Init"/>.</summary>
public sealed record ScaleParameterNode(SymExpr Channels, SymExpr Init) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => new[] { Channels, Init };
}

/// <summary>The operation of a layer scale's step: its input times the class's parameter <see cref="Field"/> (a <see cref="ScaleParameterNode"/> member).</summary>
public sealed record ScaleByParameterNode(string Field) : ModuleNode
{
    public override IEnumerable<SymExpr> Expressions() => Enumerable.Empty<SymExpr>();
}
