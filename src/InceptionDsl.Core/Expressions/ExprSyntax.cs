using InceptionDsl.Text;

namespace InceptionDsl.Expressions;

/// <summary>
/// An expression written in a spec value: a number, <c>true</c>, a word, a list, or arithmetic
/// over parameters such as <c>$planes * 4</c>. Records, so spec models compare by value.
/// </summary>
public abstract record ExprSyntax(SourceSpan Span)
{
    /// <summary>
    /// The expression as a person would write it, for messages: printed from the tree, with the
    /// parentheses its meaning needs and no others (<c>8 % ($a - 4)</c>, <c>-($a - 1)</c>).
    /// </summary>
    public abstract string Display { get; }

    /// <summary>How tightly the printed form binds (<see cref="ExprPrecedence"/>), to parenthesise only where needed.</summary>
    public virtual int Precedence => ExprPrecedence.Primary;

    /// <summary><see cref="Display"/>, in parentheses when it binds less tightly than <paramref name="context"/> requires.</summary>
    public string DisplayAt(int context) => Precedence < context ? "(" + Display + ")" : Display;
}

/// <summary>The parser's binding strengths, loosest first (ExprParser: <c>|| &amp;&amp; comparisons + - * / // % unary [index]</c>).</summary>
public static class ExprPrecedence
{
    public const int Or = 1, And = 2, Comparison = 3, Additive = 4, Multiplicative = 5, Unary = 6, Postfix = 7, Primary = 8;

    public static int Of(string binaryOperator) => binaryOperator switch
    {
        "||" => Or,
        "&&" => And,
        "==" or "!=" or "<" or "<=" or ">" or ">=" => Comparison,
        "+" or "-" => Additive,
        _ => Multiplicative,
    };
}

/// <summary>A constant: long, double, bool or string.</summary>
public sealed record LiteralExpr(object Value, SourceSpan Span) : ExprSyntax(Span)
{
    /// <summary>A negative number prints with its sign, which binds as a unary minus.</summary>
    public override int Precedence => Value is long and < 0 || Value is double and < 0 ? ExprPrecedence.Unary : ExprPrecedence.Primary;

    public override string Display => Value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        _ => System.Convert.ToString(Value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>A parameter reference, <c>$name</c>.</summary>
public sealed record VariableExpr(string Name, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => "$" + Name;
}

public sealed record UnaryExpr(string Operator, ExprSyntax Operand, SourceSpan Span) : ExprSyntax(Span)
{
    public override int Precedence => ExprPrecedence.Unary;

    public override string Display => Operator + Operand.DisplayAt(ExprPrecedence.Unary);
}

/// <summary>
/// A binary operation. The operators associate to the left (<c>a - b - c</c> is <c>(a - b) - c</c>), so
/// a right operand of the same strength keeps its parentheses; comparisons do not chain, so both
/// sides of one that are comparisons keep theirs.
/// </summary>
public sealed record BinaryExpr(string Operator, ExprSyntax Left, ExprSyntax Right, SourceSpan Span) : ExprSyntax(Span)
{
    public override int Precedence => ExprPrecedence.Of(Operator);

    public override string Display
    {
        get
        {
            int own = Precedence;
            int left = own == ExprPrecedence.Comparison ? own + 1 : own;
            return $"{Left.DisplayAt(left)} {Operator} {Right.DisplayAt(own + 1)}";
        }
    }
}

public sealed record IndexExpr(ExprSyntax Target, ExprSyntax Index, SourceSpan Span) : ExprSyntax(Span)
{
    public override int Precedence => ExprPrecedence.Postfix;

    public override string Display => $"{Target.DisplayAt(ExprPrecedence.Postfix)}[{Index.Display}]";
}

public sealed record ListExpr(EquatableArray<ExprSyntax> Items, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => "[" + string.Join(", ", System.Linq.Enumerable.Select(Items, i => i.Display)) + "]";
}

/// <summary>A call of a built-in function: <c>min</c>, <c>max</c>.</summary>
public sealed record CallExpr(string Function, EquatableArray<ExprSyntax> Arguments, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => Function + "(" + string.Join(", ", System.Linq.Enumerable.Select(Arguments, i => i.Display)) + ")";
}

/// <summary>A conditional value, <c>cond ? a : b</c>: decided at build time when the condition is a constant.</summary>
public sealed record ConditionalExpr(ExprSyntax Condition, ExprSyntax WhenTrue, ExprSyntax WhenFalse, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => $"{Condition.Display} ? {WhenTrue.Display} : {WhenFalse.Display}";
}
