namespace InceptionDsl.Expressions;

/// <summary>
/// How tightly an expression tree binds in a C-like rendering (the spec's own syntax and C#): the renderers
/// parenthesise an operand only where it binds more loosely than its place needs.
/// </summary>
public static class SymPrecedence
{
    public static int Of(SymExpr expression) => expression switch
    {
        SymUnary => Precedences.Unary,
        SymBinary binary => OfOperator(binary.Operator),
        SymConditional => Precedences.Conditional,
        SymConvert { To: SymType.Float } => Precedences.Unary,
        _ => Precedences.Atom,
    };

    public static int OfOperator(string op) => op switch
    {
        "*" or "/" or "//" or "%" => Precedences.Multiplicative,
        "+" or "-" => Precedences.Additive,
        "<" or "<=" or ">" or ">=" => Precedences.Relational,
        "==" or "!=" => Precedences.Equality,
        "&&" => Precedences.And,
        _ => Precedences.Or,
    };
}
