using InceptionDsl.Text;

namespace InceptionDsl.Expressions;

/// <summary>
/// An expression written in a spec value: a number, <c>true</c>, a word, a list, or arithmetic
/// over parameters such as <c>$planes * 4</c>. Records, so spec models compare by value.
/// </summary>
public abstract record ExprSyntax(SourceSpan Span)
{
    /// <summary>The expression as a person would write it, for messages.</summary>
    public abstract string Display { get; }
}

/// <summary>A constant: long, double, bool or string.</summary>
public sealed record LiteralExpr(object Value, SourceSpan Span) : ExprSyntax(Span)
{
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
    public override string Display => Operator + Operand.Display;
}

public sealed record BinaryExpr(string Operator, ExprSyntax Left, ExprSyntax Right, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => $"{Left.Display} {Operator} {Right.Display}";
}

public sealed record IndexExpr(ExprSyntax Target, ExprSyntax Index, SourceSpan Span) : ExprSyntax(Span)
{
    public override string Display => $"{Target.Display}[{Index.Display}]";
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
