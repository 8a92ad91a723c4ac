using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Semantics;

/// <summary>
/// The options of one node merged over the spec's defaults for its kind, evaluated on demand
/// with type checks. Every getter reports a located diagnostic and returns null on bad input.
/// </summary>
internal sealed class Options
{
    private readonly Dictionary<string, OptionSyntax> _values = new();
    private readonly Scope _scope;
    private readonly List<SpecDiagnostic> _diagnostics;
    private readonly string _owner;

    public Options(NodeSyntax node, IEnumerable<OptionSyntax> defaults, Scope scope, List<SpecDiagnostic> diagnostics, string owner)
    {
        foreach (var option in defaults)
        {
            _values[option.Key] = option;
            _fromDefaults.Add(option.Key);
        }

        foreach (var option in node.Options)
        {
            _values[option.Key] = option;
            _fromDefaults.Remove(option.Key);
        }
        Span = node.Span;
        _scope = scope;
        _diagnostics = diagnostics;
        _owner = owner;
    }

    public SourceSpan Span { get; }

    /// <summary>Keys whose value comes from the spec's <c>defaults:</c>, not from the node.</summary>
    private readonly HashSet<string> _fromDefaults = new();

    /// <summary>
    /// Reports a problem with <paramref name="key"/>'s value at the value (for a default, its line in
    /// <c>defaults:</c>), and then at the node the default was applied to as well.
    /// </summary>
    private void Report(string key, SpecDiagnostic diagnostic) =>
        _diagnostics.Add(_fromDefaults.Contains(key) ? diagnostic.WithRelated(Span, $"'{_owner}' takes '{key}' from defaults:") : diagnostic);

    /// <summary>Whether <paramref name="key"/>'s value comes from <c>defaults:</c>.</summary>
    public bool FromDefaults(string key) => _fromDefaults.Contains(key);

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>Whether any value (the node's or a default's) is an expression that reads a name, not a plain constant.</summary>
    public bool ReadsVariables() => _values.Values.Any(option => ReadsVariable(option.Value));

    private static bool ReadsVariable(ExprSyntax expression) => expression switch
    {
        VariableExpr => true,
        UnaryExpr unary => ReadsVariable(unary.Operand),
        BinaryExpr binary => ReadsVariable(binary.Left) || ReadsVariable(binary.Right),
        IndexExpr index => ReadsVariable(index.Target) || ReadsVariable(index.Index),
        ListExpr list => list.Items.Any(ReadsVariable),
        CallExpr call => call.Arguments.Any(ReadsVariable),
        ConditionalExpr conditional => ReadsVariable(conditional.Condition) || ReadsVariable(conditional.WhenTrue) || ReadsVariable(conditional.WhenFalse),
        _ => false,
    };

    public SourceSpan SpanOf(string key) => _values.TryGetValue(key, out var option) ? option.Span : Span;

    public Value? Raw(string key) => _values.TryGetValue(key, out var option) ? ExprEvaluator.Evaluate(option.Value, _scope, _diagnostics) : null;

    /// <summary>A required or defaulted integer with a lower bound.</summary>
    public IntValue? Int(string key, long? fallback, long minimum, long maximum = SpecLimits.MaxSpatial)
    {
        if (!_values.ContainsKey(key))
        {
            if (fallback is null)
            {
                _diagnostics.Add(Descriptors.MissingField.Create(Span, $"'{_owner}'", key));
                return null;
            }

            return new IntValue(fallback.Value);
        }

        var value = Raw(key);
        if (value is null)
            return null;
        if (value is not IntValue integer)
        {
            Report(key, Descriptors.WrongType.Create(SpanOf(key), key, "an integer", Describe(value)));
            return null;
        }

        if (integer.Number < minimum)
        {
            Report(key, Descriptors.OutOfRange.Create(SpanOf(key), key, minimum == 1 ? "positive" : $"at least {minimum}", integer.Number));
            return null;
        }

        if (integer.Number > maximum)
        {
            Report(key, Descriptors.LimitExceeded.Create(SpanOf(key), $"'{key}' = {integer.Number}", maximum.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            return null;
        }

        return integer;
    }

    /// <summary>An integer or an [h, w] pair.</summary>
    public (IntValue H, IntValue W)? Pair(string key, long? fallback, long minimum)
    {
        if (_values.ContainsKey(key) && Raw(key) is ListValue list)
        {
            if (list.Items.Count != 2 || list.Items.Any(i => i is not IntValue))
            {
                Report(key, Descriptors.WrongType.Create(SpanOf(key), key, "an integer or a pair [h, w]", Describe(list)));
                return null;
            }

            var h = (IntValue)list.Items[0];
            var w = (IntValue)list.Items[1];
            foreach (var side in new[] { h, w })
            {
                if (side.Number < minimum)
                {
                    Report(key, Descriptors.OutOfRange.Create(SpanOf(key), key, minimum == 1 ? "positive" : $"at least {minimum}", side.Number));
                    return null;
                }

                if (side.Number > SpecLimits.MaxSpatial)
                {
                    Report(key, Descriptors.LimitExceeded.Create(SpanOf(key), $"'{key}' = {side.Number}", SpecLimits.MaxSpatial.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    return null;
                }
            }

            return (h, w);
        }

        var single = Int(key, fallback, minimum);
        return single is null ? null : (single, single);
    }

    public bool? Bool(string key, bool fallback)
    {
        if (!_values.ContainsKey(key))
            return fallback;
        var value = Raw(key);
        if (value is null)
            return null;
        if (value is BoolValue flag && flag.IsConstant)
            return flag.Flag;
        Report(key, Descriptors.WrongType.Create(SpanOf(key), key, "true or false (known at build time)", Describe(value)));
        return null;
    }

    public Value? Number(string key, double fallback, double minimum, double maximum)
    {
        if (!_values.ContainsKey(key))
            return new FloatValue(fallback);
        var value = Raw(key);
        if (value is null)
            return null;
        if (!ExprEvaluator.IsNumber(value))
        {
            Report(key, Descriptors.WrongType.Create(SpanOf(key), key, "a number", Describe(value)));
            return null;
        }

        var number = ExprEvaluator.ToDouble(value);
        if (number < minimum || number > maximum)
        {
            Report(key, Descriptors.OutOfRange.Create(SpanOf(key), key, $"between {minimum} and {maximum}", value.Display));
            return null;
        }

        return value is IntValue i ? new FloatValue(i.Number) { Expr = i.Expr is null ? null : new SymConvert(i.Expr, SymType.Float) } : value;
    }

    public string? Word(string key, string fallback, params string[] allowed)
    {
        if (!_values.ContainsKey(key))
            return fallback;
        var value = Raw(key);
        if (value is null)
            return null;
        var text = value switch
        {
            StringValue s when s.IsConstant => s.Text,
            BoolValue { Flag: false } => "none",
            _ => null,
        };
        if (text is null || !allowed.Contains(text))
        {
            Report(key, Descriptors.WrongType.Create(SpanOf(key), key, "one of " + string.Join(", ", allowed), Describe(value) + (key == "act" ? DidYouMean.KindHint(text ?? "", allowed) : DidYouMean.Hint(text ?? "", allowed))));
            return null;
        }

        return text;
    }

    private static string Describe(Value value) => $"{value.TypeName} ({value.Display})";
}
