using System.Globalization;
using System.Linq;
using InceptionDsl.Expressions;

namespace InceptionDsl.Emit.PyTorch;

/// <summary>
/// The PyTorch renderer of expression trees: Python with its own precedence (<c>a if c else b</c> loosest, then
/// <c>or</c>, <c>and</c>, <c>not</c>, comparisons, <c>+ -</c>, <c>* / // %</c>, unary minus). Integers are Python ints,
/// <c>//</c> is integer division, make_divisible is the emitted module's own.
/// </summary>
public static class PythonExpressions
{
    private const int Conditional = 1, Or = 2, And = 3, Not = 4, Comparison = 5, Additive = 6, Multiplicative = 7, Unary = 8, Atom = 10;

    public static string Render(SymExpr expression) => expression switch
    {
        SymName name => PythonText.Name(name.Name),
        SymLiteral literal => Literal(literal.Constant),
        SymUnary { Operator: "!" } not => "not " + Wrap(not.Operand, Not),
        SymUnary unary => unary.Operator + Wrap(unary.Operand, Unary),
        SymBinary binary => Binary(binary),
        SymConditional c => $"{Wrap(c.WhenTrue, Conditional + 1)} if {Wrap(c.Condition, Conditional + 1)} else {Wrap(c.WhenFalse, Conditional)}",
        SymCall call => $"{call.Function}({string.Join(", ", call.Arguments.Select(Render))})",
        SymConvert { To: SymType.Float } convert => $"float({Render(convert.Operand)})",
        SymConvert { To: SymType.Int } convert => $"int({Render(convert.Operand)})",
        SymConvert convert => $"str({Render(convert.Operand)})",
        _ => throw new System.InvalidOperationException("Unknown expression " + expression.GetType().Name),
    };

    public static string Literal(Value constant) => constant switch
    {
        IntValue i => i.Number.ToString(CultureInfo.InvariantCulture),
        FloatValue f => FloatValue.FormatDouble(f.Number),
        BoolValue b => b.Flag ? "True" : "False",
        StringValue s => PythonText.Literal(s.Text),
        ListValue list => "[" + string.Join(", ", list.Items.Select(i => Render(i.AsExpr()))) + "]",
        _ => throw new System.InvalidOperationException("Unknown value " + constant.GetType().Name),
    };

    private static string Binary(SymBinary binary)
    {
        var (op, precedence) = binary.Operator switch
        {
            "&&" => ("and", And),
            "||" => ("or", Or),
            "==" or "!=" or "<" or "<=" or ">" or ">=" => (binary.Operator, Comparison),
            "+" or "-" => (binary.Operator, Additive),
            _ => (binary.Operator, Multiplicative),
        };
        // Python chains comparisons (a < b < c): a comparison inside one is parenthesised on both sides.
        int left = precedence == Comparison ? Comparison + 1 : precedence;
        return $"{Wrap(binary.Left, left)} {op} {Wrap(binary.Right, precedence + 1)}";
    }

    private static int Of(SymExpr expression) => expression switch
    {
        SymConditional => Conditional,
        SymUnary { Operator: "!" } => Not,
        SymUnary => Unary,
        SymBinary { Operator: "&&" } => And,
        SymBinary { Operator: "||" } => Or,
        SymBinary { Operator: "==" or "!=" or "<" or "<=" or ">" or ">=" } => Comparison,
        SymBinary { Operator: "+" or "-" } => Additive,
        SymBinary => Multiplicative,
        SymLiteral { Constant: IntValue { Number: < 0 } or FloatValue { Number: < 0 } } => Unary,
        _ => Atom,
    };

    private static string Wrap(SymExpr operand, int context) =>
        Of(operand) < context ? "(" + Render(operand) + ")" : Render(operand);
}
