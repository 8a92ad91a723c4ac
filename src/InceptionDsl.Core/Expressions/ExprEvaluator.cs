using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;

namespace InceptionDsl.Expressions;

/// <summary>
/// Evaluates expressions to <see cref="Value"/>s: the concrete number for this use of a block,
/// plus the expression tree that recomputes it from constructor parameters when it is not a constant.
/// Errors become diagnostics (IDSL008, IDSL014) and a null result.
/// </summary>
public static class ExprEvaluator
{
    public static Value? Evaluate(ExprSyntax expression, Scope scope, List<SpecDiagnostic> diagnostics)
    {
        try
        {
            return Eval(expression, scope);
        }
        catch (EvalException error)
        {
            diagnostics.Add(error.Diagnostic);
            return null;
        }
        catch (OverflowException)
        {
            diagnostics.Add(Descriptors.ExpressionType.Create(expression.Span, expression.Display, "overflows a 64-bit integer"));
            return null;
        }
    }

    private static Value Eval(ExprSyntax expression, Scope scope)
    {
        switch (expression)
        {
            case LiteralExpr literal:
                return literal.Value switch
                {
                    long l => new IntValue(l),
                    double d => new FloatValue(d),
                    bool b => new BoolValue(b),
                    _ => new StringValue((string)literal.Value),
                };
            case VariableExpr variable:
                if (scope.TryGet(variable.Name, out var value))
                    return value;
                var known = scope.Names().Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
                throw new EvalException(Descriptors.UndefinedParameter.Create(expression.Span, variable.Name,
                    known.Count == 0 ? $" ({scope.Description} declares no parameters)" : $" (known in {scope.Description}: {string.Join(", ", known.Select(k => "$" + k))})"));
            case ListExpr list:
                return new ListValue(list.Items.Select(i => Eval(i, scope)).ToEquatableArray());
            case IndexExpr index:
                return EvalIndex(index, scope);
            case UnaryExpr unary:
                return EvalUnary(unary, scope);
            case BinaryExpr binary:
                return EvalBinary(binary, scope);
            case CallExpr call:
                return EvalCall(call, scope);
            case ConditionalExpr conditional:
                return EvalConditional(conditional, scope);
            default:
                throw new InvalidOperationException("Unknown expression " + expression.GetType().Name);
        }
    }

    private static Value EvalIndex(IndexExpr index, Scope scope)
    {
        var target = Eval(index.Target, scope);
        var position = Eval(index.Index, scope);
        if (target is not ListValue list || !target.IsConstant)
            throw TypeError(index, "indexes something that is not a constant list");
        if (position is not IntValue i || !position.IsConstant)
            throw TypeError(index, "needs a constant integer index");
        if (i.Number < 0 || i.Number >= list.Items.Count)
            throw TypeError(index, $"index {i.Number} is outside the list of {list.Items.Count}");
        return list.Items[(int)i.Number];
    }

    private static Value EvalUnary(UnaryExpr unary, Scope scope)
    {
        var operand = Eval(unary.Operand, scope);
        return (unary.Operator, operand) switch
        {
            ("-", IntValue i) => new IntValue(-i.Number) { Expr = Compose("-", operand) },
            ("-", FloatValue f) => new FloatValue(-f.Number) { Expr = Compose("-", operand) },
            ("!", BoolValue b) => new BoolValue(!b.Flag) { Expr = Compose("!", operand) },
            _ => throw TypeError(unary, $"cannot apply '{unary.Operator}' to {operand.TypeName}"),
        };
    }

    private static SymExpr? Compose(string op, Value operand) =>
        operand.IsConstant ? null : new SymUnary(op, operand.Expr!);

    private static Value EvalBinary(BinaryExpr binary, Scope scope)
    {
        var left = Eval(binary.Left, scope);
        var right = Eval(binary.Right, scope);
        var op = binary.Operator;

        if (op is not ("&&" or "||" or "==" or "!="))
        {
            left = AsNumber(left);
            right = AsNumber(right);
        }

        Value result;
        if (op is "&&" or "||")
        {
            if (left is not BoolValue lb || right is not BoolValue rb)
                throw TypeError(binary, $"needs true/false on both sides of '{op}'");
            result = new BoolValue(op == "&&" ? lb.Flag && rb.Flag : lb.Flag || rb.Flag);
            // A constant side decides or drops out: "x || true" is true, "x && true" is x.
            bool absorbing = op == "||";
            if ((lb.IsConstant && lb.Flag == absorbing) || (rb.IsConstant && rb.Flag == absorbing))
                return result;
            if (lb.IsConstant)
                return rb;
            if (rb.IsConstant)
                return lb;
        }
        else if (op is "==" or "!=")
        {
            bool equal = (left, right) switch
            {
                (IntValue a, IntValue b) => a.Number == b.Number,
                (BoolValue a, BoolValue b) => a.Flag == b.Flag,
                (StringValue a, StringValue b) => a.Text == b.Text,
                _ when IsNumber(left) && IsNumber(right) => ToDouble(left) == ToDouble(right),
                _ => throw TypeError(binary, $"compares {left.TypeName} with {right.TypeName}"),
            };
            result = new BoolValue(op == "==" ? equal : !equal);
        }
        else if (IsNumber(left) && IsNumber(right))
        {
            if (op is "<" or "<=" or ">" or ">=")
            {
                double a = ToDouble(left), b = ToDouble(right);
                result = new BoolValue(op switch { "<" => a < b, "<=" => a <= b, ">" => a > b, _ => a >= b });
            }
            else if (left is IntValue li && right is IntValue ri && op != "/")
            {
                if (op is "//" or "%" && ri.Number == 0)
                    throw TypeError(binary, "divides by zero");
                result = new IntValue(op switch
                {
                    "+" => li.Number + ri.Number,
                    "-" => li.Number - ri.Number,
                    "*" => li.Number * ri.Number,
                    "//" => FloorDiv(li.Number, ri.Number),
                    _ => li.Number - ri.Number * FloorDiv(li.Number, ri.Number),
                });
            }
            else
            {
                double a = ToDouble(left), b = ToDouble(right);
                if (op is "/" or "//" or "%" && b == 0)
                    throw TypeError(binary, "divides by zero");
                if (op is "//" or "%")
                    throw TypeError(binary, $"'{op}' needs integers");
                result = new FloatValue(op switch { "+" => a + b, "-" => a - b, "*" => a * b, _ => a / b });
                if (op == "/" && left is IntValue && right is IntValue && !(left.IsConstant && right.IsConstant))
                    return result with { Expr = new SymBinary("/", new SymConvert(left.AsExpr(), SymType.Float), right.AsExpr()) };
            }
        }
        else
        {
            throw TypeError(binary, $"cannot apply '{op}' to {left.TypeName} and {right.TypeName}");
        }

        if (left.IsConstant && right.IsConstant)
            return result;
        // Identity elements drop out: "x * 1", "x // 1", "x + 0" read as "x".
        if (IsIdentity(op, right, onRight: true))
            return result with { Expr = left.Expr };
        if (IsIdentity(op, left, onRight: false))
            return result with { Expr = right.Expr };
        return result with { Expr = new SymBinary(op, left.AsExpr(), right.AsExpr()) };
    }

    /// <summary>
    /// <c>cond ? a : b</c>. A constant condition picks its side (the other is still evaluated, so a
    /// mistake in it is reported); a run-time one keeps the conditional, with the numbers of the
    /// side it takes for this use. Both sides must be of one kind (an integer and a number mix as a number).
    /// </summary>
    private static Value EvalConditional(ConditionalExpr conditional, Scope scope)
    {
        var condition = AsFlag(Eval(conditional.Condition, scope), conditional);
        var whenTrue = Eval(conditional.WhenTrue, scope);
        var whenFalse = Eval(conditional.WhenFalse, scope);
        if (condition.IsConstant)
            return condition.Flag ? whenTrue : whenFalse;
        if (whenTrue is IntValue && whenFalse is FloatValue || whenTrue is FloatValue && whenFalse is IntValue)
        {
            whenTrue = new FloatValue(ToDouble(whenTrue)) { Expr = whenTrue.Expr };
            whenFalse = new FloatValue(ToDouble(whenFalse)) { Expr = whenFalse.Expr };
        }

        if (whenTrue.GetType() != whenFalse.GetType() || whenTrue is ListValue)
            throw TypeError(conditional, $"gives {whenTrue.TypeName} or {whenFalse.TypeName}; both sides must be of one kind (numbers, true/false or words)");
        return (condition.Flag ? whenTrue : whenFalse) with { Expr = new SymConditional(condition.Expr!, whenTrue.AsExpr(), whenFalse.AsExpr()) };
    }

    /// <summary>A condition: true/false, or a number (non-zero is true), as in C-like languages.</summary>
    private static BoolValue AsFlag(Value value, ExprSyntax where) => value switch
    {
        BoolValue flag => flag,
        IntValue number => new BoolValue(number.Number != 0) { Expr = number.IsConstant ? null : new SymBinary("!=", number.Expr!, new SymLiteral(new IntValue(0))) },
        _ => throw TypeError(where, $"needs true/false (or a number) before '?', found {value.TypeName}"),
    };

    /// <summary>A boolean in arithmetic counts as 1 or 0 (<c>$planes * (1 + $wide)</c>).</summary>
    private static Value AsNumber(Value value) => value is BoolValue flag
        ? new IntValue(flag.Flag ? 1 : 0) { Expr = flag.IsConstant ? null : new SymConvert(flag.Expr!, SymType.Int) }
        : value;

    private static Value EvalCall(CallExpr call, Scope scope)
    {
        var arguments = call.Arguments.Select(a => AsNumber(Eval(a, scope))).ToList();
        if (arguments.Count == 0 || arguments.Any(a => !IsNumber(a)))
            throw TypeError(call, "needs one or more numbers");
        if (call.Function == "make_divisible")
            return MakeDivisible(call, arguments);
        bool allInts = arguments.All(a => a is IntValue);
        double best = call.Function == "min" ? arguments.Min(ToDouble) : arguments.Max(ToDouble);
        Value result = allInts ? new IntValue((long)best) : new FloatValue(best);
        if (arguments.All(a => a.IsConstant))
            return result;
        return result with { Expr = new SymCall(call.Function, arguments.Select(a => a.AsExpr()).ToEquatableArray()) };
    }

    /// <summary>
    /// make_divisible(v, divisor[, min_value]) as torchvision's and timm's _make_divisible: v rounded to the
    /// nearest multiple of divisor (halves up), at least min_value (default divisor), and one divisor more
    /// where rounding lost over 10% of v. Channel widths of MobileNet and EfficientNet.
    /// </summary>
    private static Value MakeDivisible(CallExpr call, List<Value> arguments)
    {
        if (arguments.Count is < 2 or > 3)
            throw TypeError(call, "takes a value, a divisor and optionally a minimum: make_divisible(v, divisor[, min_value])");
        if (arguments[1] is not IntValue divisor || (divisor.IsConstant && divisor.Number < 1) || (arguments.Count == 3 && arguments[2] is not IntValue))
            throw TypeError(call, "needs a positive integer divisor (and an integer minimum)");
        long minimum = arguments.Count == 3 ? ((IntValue)arguments[2]).Number : divisor.Number;
        var result = new IntValue(MakeDivisible(ToDouble(arguments[0]), Math.Max(1, divisor.Number), minimum));
        if (arguments.All(a => a.IsConstant))
            return result;
        return result with { Expr = new SymCall("make_divisible", arguments.Select(a => a.AsExpr()).ToEquatableArray()) };
    }

    /// <summary>The arithmetic of <see cref="MakeDivisible(CallExpr, List{Value})"/>, which the generated support's MakeDivisible repeats.</summary>
    public static long MakeDivisible(double value, long divisor, long minimum)
    {
        long rounded = Math.Max(minimum, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    private static bool IsIdentity(string op, Value operand, bool onRight)
    {
        if (!operand.IsConstant || operand is not IntValue constant)
            return false;
        return (op, constant.Number, onRight) switch
        {
            ("*", 1, _) => true,
            ("//", 1, true) => true,
            ("+", 0, _) => true,
            ("-", 0, true) => true,
            _ => false,
        };
    }

    public static bool IsNumber(Value value) => value is IntValue or FloatValue;

    public static double ToDouble(Value value) => value is IntValue i ? i.Number : ((FloatValue)value).Number;

    private static long FloorDiv(long a, long b) => a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0);


    private static EvalException TypeError(ExprSyntax expression, string problem) =>
        new(Descriptors.ExpressionType.Create(expression.Span, expression.Display, problem));

    private sealed class EvalException : Exception
    {
        public EvalException(SpecDiagnostic diagnostic) => Diagnostic = diagnostic;

        public SpecDiagnostic Diagnostic { get; }
    }
}
