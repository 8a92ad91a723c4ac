using System.Globalization;
using System.Linq;

namespace InceptionDsl.Expressions;

/// <summary>
/// The result of evaluating a spec expression. Every value has a concrete number for shape
/// checking and, when it depends on a block's constructor parameter, the C# expression that
/// computes it at run time (<see cref="Code"/>); constants have no code and print as literals.
/// </summary>
public abstract record Value
{
    /// <summary>C# that computes the value at run time; null for a build-time constant.</summary>
    public string? Code { get; init; }

    /// <summary>Binding strength of <see cref="Code"/>, to parenthesise only where needed.</summary>
    public int Precedence { get; init; } = Precedences.Atom;

    public bool IsConstant => Code is null;

    public abstract string TypeName { get; }

    /// <summary>The value as C# source: its run-time expression, or a literal.</summary>
    public string ToCSharp() => Code ?? Literal();

    protected abstract string Literal();

    /// <summary>The value as a person writes it in a spec, for messages.</summary>
    public abstract string Display { get; }

    /// <summary>For generated comments: the number, or the C# that computes it in a block class.</summary>
    public string Shown => Code ?? Display;
}

public sealed record IntValue(long Number) : Value
{
    public override string TypeName => "an integer";

    protected override string Literal() => Number.ToString(CultureInfo.InvariantCulture);

    public override string Display => Number.ToString(CultureInfo.InvariantCulture);
}

public sealed record FloatValue(double Number) : Value
{
    public override string TypeName => "a number";

    protected override string Literal() => FormatDouble(Number);

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

    protected override string Literal() => Flag ? "true" : "false";

    public override string Display => Flag ? "true" : "false";
}

public sealed record StringValue(string Text) : Value
{
    public override string TypeName => "a word";

    protected override string Literal() => "\"" + Text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public override string Display => Text;
}

public sealed record ListValue(EquatableArray<Value> Items) : Value
{
    public override string TypeName => "a list";

    protected override string Literal() => "new[] { " + string.Join(", ", Items.Select(i => i.ToCSharp())) + " }";

    public override string Display => "[" + string.Join(", ", Items.Select(i => i.Display)) + "]";
}

/// <summary>C# operator precedences, highest binds tightest.</summary>
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
