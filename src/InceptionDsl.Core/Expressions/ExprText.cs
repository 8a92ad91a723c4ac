using System.Linq;

namespace InceptionDsl.Expressions;

/// <summary>
/// An expression tree as a person reads it, in the spec's own notation without <c>$</c>
/// (<c>planes * 4</c>, <c>make_divisible(c * 0.25, 8)</c>): what labels, comments and messages show of a
/// value a block computes from its parameters. Conversions are invisible here.
/// </summary>
public static class ExprText
{
    public static string Render(SymExpr expression) => expression switch
    {
        SymName name => name.Name,
        SymLiteral literal => literal.Constant.Display,
        SymUnary unary => unary.Operator + Wrap(unary.Operand, Precedences.Unary),
        SymBinary binary => Wrap(binary.Left, SymPrecedence.OfOperator(binary.Operator)) + " " + binary.Operator + " "
            + Wrap(binary.Right, SymPrecedence.OfOperator(binary.Operator) + 1),
        SymConditional c => $"{Wrap(c.Condition, Precedences.Or)} ? {Wrap(c.WhenTrue, Precedences.Conditional + 1)} : {Wrap(c.WhenFalse, Precedences.Conditional)}",
        SymCall call => $"{call.Function}({string.Join(", ", call.Arguments.Select(Render))})",
        SymConvert { To: SymType.Int } convert => $"({Render(convert.Operand)} ? 1 : 0)",
        SymConvert convert => Render(convert.Operand),
        _ => throw new System.InvalidOperationException("Unknown expression " + expression.GetType().Name),
    };

    private static string Wrap(SymExpr operand, int context)
    {
        // A conversion shows its operand, so it binds as its operand does.
        var shown = operand is SymConvert { To: not SymType.Int } convert ? convert.Operand : operand;
        return SymPrecedence.Of(shown) < context ? "(" + Render(operand) + ")" : Render(operand);
    }
}
