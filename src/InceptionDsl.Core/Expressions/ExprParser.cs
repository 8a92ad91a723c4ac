using System;
using System.Collections.Generic;
using System.Globalization;
using InceptionDsl.Diagnostics;
using InceptionDsl.Syntax;
using InceptionDsl.Text;

namespace InceptionDsl.Expressions;

/// <summary>
/// Parses the text of a YAML scalar into an <see cref="ExprSyntax"/>. Plain numbers and booleans
/// become literals, text with a <c>$</c> is parsed as an expression, any other word is a string
/// literal (<c>relu</c>, <c>same</c>, a block name). A recursive-descent parser with the usual
/// precedence: <c>|| &amp;&amp; comparisons + - * / // % unary [index]</c>.
/// </summary>
public sealed class ExprParser
{
    private readonly string _text;
    private readonly SourceSpan _span;
    private int _pos;

    private ExprParser(string text, SourceSpan span)
    {
        _text = text;
        _span = span;
    }

    /// <summary>Interprets one YAML scalar. Returns null and reports IDSL013 when it does not parse.</summary>
    public static ExprSyntax? ParseScalar(string text, bool quoted, SourceSpan span, List<SpecDiagnostic> diagnostics)
    {
        // Quoted: an expression when it has a $ or calls a function ("make_divisible(32 * 0.75, 8)"), else a word.
        if (quoted)
            return text.IndexOf('$') >= 0 || IsCall(text.Trim()) ? ParseExpression(text, span, diagnostics) : new LiteralExpr(text, span);

        var trimmed = text.Trim();
        if (TryParseNumberOrBool(trimmed, out var literal))
            return new LiteralExpr(literal, span);
        if (trimmed.IndexOf('$') < 0 && IsWord(trimmed))
            return new LiteralExpr(trimmed, span);
        return ParseExpression(trimmed, span, diagnostics);
    }

    /// <summary>Whether the text starts as a call of one of the expression functions.</summary>
    private static bool IsCall(string text) =>
        text.StartsWith("min(", StringComparison.Ordinal) || text.StartsWith("max(", StringComparison.Ordinal) || text.StartsWith("make_divisible(", StringComparison.Ordinal);

    private static ExprSyntax? ParseExpression(string text, SourceSpan span, List<SpecDiagnostic> diagnostics)
    {
        if (text.Length > SpecLimits.MaxExpressionChars)
        {
            diagnostics.Add(Descriptors.LimitExceeded.Create(span, "Expression length", $"{SpecLimits.MaxExpressionChars} characters"));
            return null;
        }

        var parser = new ExprParser(text, span);
        try
        {
            var expression = parser.ParseConditional(depth: 0);
            parser.SkipSpaces();
            if (parser._pos < text.Length)
                throw parser.Error($"unexpected '{text[parser._pos]}' at character {parser._pos + 1}");
            return expression;
        }
        catch (ExprException error)
        {
            diagnostics.Add(Descriptors.ExpressionSyntax.Create(span, text, error.Message));
            return null;
        }
    }

    private static bool TryParseNumberOrBool(string text, out object value)
    {
        value = text;
        switch (text)
        {
            case "true" or "True" or "TRUE":
                value = true;
                return true;
            case "false" or "False" or "FALSE":
                value = false;
                return true;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            value = integer;
            return true;
        }

        if (text.Length > 0 && (char.IsDigit(text[0]) || text[0] is '.' or '-' or '+')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var real)
            && !double.IsNaN(real) && !double.IsInfinity(real))
        {
            value = real;
            return true;
        }

        return false;
    }

    private static bool IsWord(string text)
    {
        if (text.Length == 0 || !(char.IsLetter(text[0]) || text[0] == '_'))
            return false;
        foreach (var c in text)
            if (!(char.IsLetterOrDigit(c) || c is '_' or '-' or '.'))
                return false;
        return true;
    }

    /// <summary><c>cond ? a : b</c>, the loosest form; right-associative (<c>a ? b : c ? d : e</c>).</summary>
    private ExprSyntax ParseConditional(int depth)
    {
        var condition = ParseOr(depth);
        if (!Match("?"))
            return condition;
        if (depth > 50)
            throw Error("nested too deeply");
        var whenTrue = ParseConditional(depth + 1);
        Expect(":");
        var whenFalse = ParseConditional(depth + 1);
        return new ConditionalExpr(condition, whenTrue, whenFalse, _span);
    }

    private ExprSyntax ParseOr(int depth)
    {
        var left = ParseAnd(depth);
        while (Match("||"))
            left = new BinaryExpr("||", left, ParseAnd(depth), _span);
        return left;
    }

    private ExprSyntax ParseAnd(int depth)
    {
        var left = ParseComparison(depth);
        while (Match("&&"))
            left = new BinaryExpr("&&", left, ParseComparison(depth), _span);
        return left;
    }

    private ExprSyntax ParseComparison(int depth)
    {
        var left = ParseAdditive(depth);
        foreach (var op in new[] { "==", "!=", "<=", ">=", "<", ">" })
            if (Match(op))
                return new BinaryExpr(op, left, ParseAdditive(depth), _span);
        return left;
    }

    private ExprSyntax ParseAdditive(int depth)
    {
        var left = ParseMultiplicative(depth);
        while (true)
        {
            if (Match("+"))
                left = new BinaryExpr("+", left, ParseMultiplicative(depth), _span);
            else if (Match("-"))
                left = new BinaryExpr("-", left, ParseMultiplicative(depth), _span);
            else
                return left;
        }
    }

    private ExprSyntax ParseMultiplicative(int depth)
    {
        var left = ParseUnary(depth);
        while (true)
        {
            if (Match("*"))
                left = new BinaryExpr("*", left, ParseUnary(depth), _span);
            else if (Match("//"))
                left = new BinaryExpr("//", left, ParseUnary(depth), _span);
            else if (Match("/"))
                left = new BinaryExpr("/", left, ParseUnary(depth), _span);
            else if (Match("%"))
                left = new BinaryExpr("%", left, ParseUnary(depth), _span);
            else
                return left;
        }
    }

    private ExprSyntax ParseUnary(int depth)
    {
        if (depth > SpecLimits.MaxExpressionDepth)
            throw Error("nested too deeply");
        if (Match("-"))
            return new UnaryExpr("-", ParseUnary(depth + 1), _span);
        if (Match("!"))
            return new UnaryExpr("!", ParseUnary(depth + 1), _span);
        var target = ParsePrimary(depth);
        while (Match("["))
        {
            var index = ParseConditional(depth + 1);
            Expect("]");
            target = new IndexExpr(target, index, _span);
        }

        return target;
    }

    private ExprSyntax ParsePrimary(int depth)
    {
        SkipSpaces();
        if (_pos >= _text.Length)
            throw Error("the expression ends too early");

        var c = _text[_pos];
        if (c == '(')
        {
            _pos++;
            var inner = ParseConditional(depth + 1);
            Expect(")");
            return inner;
        }

        if (c == '[')
        {
            _pos++;
            var items = new List<ExprSyntax>();
            if (!Match("]"))
            {
                do
                    items.Add(ParseConditional(depth + 1));
                while (Match(","));
                Expect("]");
            }

            return new ListExpr(items.ToEquatableArray(), _span);
        }

        if (c == '$')
        {
            _pos++;
            var name = ReadIdentifier();
            if (name.Length == 0)
                throw Error("'$' must be followed by a parameter name");
            return new VariableExpr(name, _span);
        }

        if (char.IsDigit(c) || c == '.')
        {
            var start = _pos;
            while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E'
                || (_text[_pos] is '+' or '-' && _pos > start && _text[_pos - 1] is 'e' or 'E')))
                _pos++;
            var token = _text.Substring(start, _pos - start);
            if (TryParseNumberOrBool(token, out var number) && number is not string)
                return new LiteralExpr(number, _span);
            throw Error($"'{token}' is not a number");
        }

        if (char.IsLetter(c) || c == '_')
        {
            var word = ReadIdentifier();
            if (word is "true" or "false")
                return new LiteralExpr(word == "true", _span);
            if (Match("("))
            {
                if (word is not ("min" or "max" or "make_divisible"))
                    throw Error($"unknown function '{word}' (known: min, max, make_divisible)");
                var arguments = new List<ExprSyntax>();
                do
                    arguments.Add(ParseConditional(depth + 1));
                while (Match(","));
                Expect(")");
                return new CallExpr(word, arguments.ToEquatableArray(), _span);
            }

            return new LiteralExpr(word, _span);
        }

        throw Error($"unexpected '{c}' at character {_pos + 1}");
    }

    private string ReadIdentifier()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
            _pos++;
        return _text.Substring(start, _pos - start);
    }

    private bool Match(string token)
    {
        SkipSpaces();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0)
            return false;
        // '/' must not eat the first half of '//', nor '<' of '<=' and so on.
        if (token.Length == 1 && _pos + 1 < _text.Length && token[0] is '/' or '<' or '>' or '=' or '!' && _text[_pos + 1] == (token[0] == '/' ? '/' : '='))
            return false;
        _pos += token.Length;
        return true;
    }

    private void Expect(string token)
    {
        if (!Match(token))
            throw Error(_pos < _text.Length ? $"expected '{token}' at character {_pos + 1}" : $"expected '{token}' before the end");
    }

    private void SkipSpaces()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
            _pos++;
    }

    private ExprException Error(string message) => new(message);

    private sealed class ExprException : Exception
    {
        public ExprException(string message) : base(message)
        {
        }
    }
}
