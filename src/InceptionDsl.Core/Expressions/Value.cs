using System.Globalization;
using System.Linq;

namespace InceptionDsl.Expressions;

/// <summary>
/// The result of evaluating a spec expression. Every value has a concrete number for shape checking and, when it
/// depends on a block's constructor parameter, the expression that computes it when the module is built
/// (<see cref="Expr"/>, a target-neutral tree); constants have none.
/// </summary>
public abstract record Value
{
    /// <summary>What computes the value when a block is constructed; null for a build-time constant.</summary>
    public SymExpr? Expr { get; init; }

    public bool IsConstant => Expr is null;

    public abstract string TypeName { get; }

    /// <summary>The value as an expression tree: its run-time expression, or itself as a literal.</summary>
    public SymExpr AsExpr() => Expr ?? new SymLiteral(this with { Expr = null });

    /// <summary>The value as a person writes it in a spec, for messages.</summary>
    public abstract string Display { get; }

    /// <summary>For labels and comments: the number, or the spec-like formula that computes it in a block class.</summary>
    public string Shown => Expr is null ? Display : ExprText.Render(Expr);
}

public sealed record IntValue(long Number) : Value
{
    public override string TypeName => "an integer";

    public override string Display => Number.ToString(CultureInfo.InvariantCulture);
}

public sealed record FloatValue(double Number) : Value
{
    public override string TypeName => "a number";

    public override string Display => Number.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e");

    public static string FormatDouble(double number)
    {
        var text = number.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text.Replace("E", "e") : text + ".0";
    }
}

public sealed record BoolValue(bool Flag) : Value
{
    public override string TypeName => "true or false";

    public override string Display => Flag ? "true" : "false";
}

public sealed record StringValue(string Text) : Value
{
    public override string TypeName => "a word";

    public override string Display => Text;
}

public sealed record ListValue(EquatableArray<Value> Items) : Value
{
    public override string TypeName => "a list";

    public override string Display => "[" + string.Join(", ", Items.Select(i => i.Display)) + "]";
}

/// <summary>The expression language's operator precedences (C-like), highest binds tightest.</summary>
public static class Precedences
{
    public const int Atom = 100;
    public const int Unary = 90;
    public const int Multiplicative = 80;
    public const int Additive = 70;
    public const int Relational = 60;
    public const int Equality = 50;
    public const int And = 40;
    public const int Or = 30;
    public const int Conditional = 20;
}
