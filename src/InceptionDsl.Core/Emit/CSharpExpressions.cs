using System.Globalization;
using System.Linq;
using InceptionDsl.Expressions;

namespace InceptionDsl.Emit;

/// <summary>
/// The TorchSharp renderer of expression trees and constants: the C# a generated constructor computes a value
/// with. Integers are <c>long</c>, numbers <c>double</c>; <c>//</c> is C#'s integer division; make_divisible is the
/// generated support's (InceptionDsl.Support.g.cs).
/// </summary>
public static class CSharpExpressions
{
    public static string Render(SymExpr expression) => expression switch
    {
        SymName name => Syntax.Identifiers.Escape(name.Name),
        SymLiteral literal => Literal(literal.Constant),
        SymUnary unary => unary.Operator + Wrap(unary.Operand, Precedences.Unary),
        SymBinary binary => Wrap(binary.Left, SymPrecedence.OfOperator(binary.Operator)) + " " + (binary.Operator == "//" ? "/" : binary.Operator) + " "
            + Wrap(binary.Right, SymPrecedence.OfOperator(binary.Operator) + 1),
        SymConditional c => $"{Wrap(c.Condition, Precedences.Or)} ? {Wrap(c.WhenTrue, Precedences.Conditional + 1)} : {Wrap(c.WhenFalse, Precedences.Conditional)}",
        SymCall { Function: "make_divisible" } call => MakeDivisible(call),
        SymCall call => call.Arguments.Select(Render).Aggregate((a, b) => $"global::System.Math.{(call.Function == "min" ? "Min" : "Max")}({a}, {b})"),
        SymConvert { To: SymType.Float } convert => "(double)" + Wrap(convert.Operand, Precedences.Unary),
        SymConvert { To: SymType.Int } convert => $"({Render(convert.Operand)} ? 1L : 0L)",
        SymConvert convert => Wrap(convert.Operand, Precedences.Atom) + ".ToString(global::System.Globalization.CultureInfo.InvariantCulture)",
        _ => throw new System.InvalidOperationException("Unknown expression " + expression.GetType().Name),
    };

    /// <summary>A constant as a C# literal.</summary>
    public static string Literal(Value constant) => constant switch
    {
        IntValue i => i.Number.ToString(CultureInfo.InvariantCulture),
        FloatValue f => FloatValue.FormatDouble(f.Number),
        BoolValue b => b.Flag ? "true" : "false",
        StringValue s => CSharpText.Literal(s.Text),
        ListValue list => "new[] { " + string.Join(", ", list.Items.Select(i => Render(i.AsExpr()))) + " }",
        _ => throw new System.InvalidOperationException("Unknown value " + constant.GetType().Name),
    };

    /// <summary>The type a constructor parameter or local of this kind is declared as.</summary>
    public static string TypeOf(SymType type) => type switch
    {
        SymType.Int => "long",
        SymType.Float => "double",
        SymType.Bool => "bool",
        _ => "string",
    };

    /// <summary>The support's MakeDivisible(double, divisor, minimum): the minimum defaults to the divisor.</summary>
    private static string MakeDivisible(SymCall call)
    {
        var args = call.Arguments;
        var text = "InceptionDslModules.MakeDivisible((double)" + Wrap(args[0], Precedences.Unary);
        for (int i = 1; i < args.Count; i++)
            text += ", " + Render(args[i]);
        if (args.Count == 2)
            text += ", " + Render(args[1]);
        return text + ")";
    }

    /// <summary>The operand's C#, in parentheses when it binds more loosely than its context.</summary>
    public static string Wrap(SymExpr operand, int context) =>
        SymPrecedence.Of(operand) < context ? "(" + Render(operand) + ")" : Render(operand);
}
