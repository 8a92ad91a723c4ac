namespace InceptionDsl.Expressions;

/// <summary>
/// A value a generated module computes when it is constructed, from its constructor parameters: the part of a spec
/// expression that is not a build-time constant, as a tree. It holds no target's text; each backend renders it
/// (<see cref="Emit.CSharpExpressions"/> for TorchSharp, <see cref="PyTorch.PythonExpressions"/> for PyTorch, and
/// <see cref="ExprText"/> for labels and messages), so one spec computes the same widths in every engine.
/// </summary>
public abstract record SymExpr
{
    /// <summary>The names the expression reads, at any depth.</summary>
    public System.Collections.Generic.IEnumerable<string> Names() => this switch
    {
        SymName name => new[] { name.Name },
        SymUnary unary => unary.Operand.Names(),
        SymBinary binary => System.Linq.Enumerable.Concat(binary.Left.Names(), binary.Right.Names()),
        SymConditional c => System.Linq.Enumerable.Concat(System.Linq.Enumerable.Concat(c.Condition.Names(), c.WhenTrue.Names()), c.WhenFalse.Names()),
        SymCall call => System.Linq.Enumerable.SelectMany(call.Arguments, a => a.Names()),
        SymConvert convert => convert.Operand.Names(),
        _ => System.Linq.Enumerable.Empty<string>(),
    };

    /// <summary>The kind of value a constant or computed value is.</summary>
    public static SymType TypeOf(Value value) => value switch
    {
        IntValue => SymType.Int,
        FloatValue => SymType.Float,
        BoolValue => SymType.Bool,
        _ => SymType.Text,
    };
}

/// <summary>A constructor parameter, let or local of the module being built, by its camel-case name (<c>inChannels</c>, <c>planes</c>, <c>i</c>).</summary>
public sealed record SymName(string Name) : SymExpr;

/// <summary>A build-time constant inside a run-time expression.</summary>
public sealed record SymLiteral(Value Constant) : SymExpr;

/// <summary><c>-x</c> or <c>!x</c>.</summary>
public sealed record SymUnary(string Operator, SymExpr Operand) : SymExpr;

/// <summary>
/// A binary operation with the spec's operator: <c>+ - * / // % &lt; &lt;= &gt; &gt;= == != &amp;&amp; ||</c>. <c>/</c> is
/// true division (its operands are numbers, an integer one converted by <see cref="SymConvert"/>); <c>//</c> and
/// <c>%</c> are integer division and remainder.
/// </summary>
public sealed record SymBinary(string Operator, SymExpr Left, SymExpr Right) : SymExpr;

/// <summary><c>condition ? whenTrue : whenFalse</c>.</summary>
public sealed record SymConditional(SymExpr Condition, SymExpr WhenTrue, SymExpr WhenFalse) : SymExpr;

/// <summary>A function of the expression language: <c>min</c>, <c>max</c> or <c>make_divisible</c>.</summary>
public sealed record SymCall(string Function, EquatableArray<SymExpr> Arguments) : SymExpr;

/// <summary>A conversion: an integer to a number (<see cref="SymType.Float"/>), true/false to 1/0 (<see cref="SymType.Int"/>), an integer to its decimal text (<see cref="SymType.Text"/>).</summary>
public sealed record SymConvert(SymExpr Operand, SymType To) : SymExpr;

/// <summary>The kinds of value a generated module computes: what a constructor parameter or local is declared as.</summary>
public enum SymType
{
    Int,
    Float,
    Bool,
    Text,
}
