using InceptionDsl.Emit;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Text;
using Xunit;

namespace InceptionDsl.Tests.Language;

/// <summary>Spec expressions: values for shape checking and the C# that recomputes them.</summary>
public sealed class ExpressionTests
{
    private static Value Eval(string text, Scope? scope = null)
    {
        var diagnostics = new List<SpecDiagnostic>();
        var expression = ExprParser.ParseScalar(text, quoted: false, SourceSpan.At("t", 1, 1), diagnostics);
        Assert.NotNull(expression);
        var value = ExprEvaluator.Evaluate(expression!, scope ?? new Scope(null, "test"), diagnostics);
        Assert.Empty(diagnostics);
        return value!;
    }

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("7 // 2", 3)]
    [InlineData("-7 // 2", -4)]
    [InlineData("7 % 3", 1)]
    [InlineData("max(3, 9, 4)", 9)]
    [InlineData("[4, 5, 6][1]", 5)]
    public void ConstantsFold(string text, long expected)
    {
        var value = Assert.IsType<IntValue>(Eval(text));
        Assert.Equal(expected, value.Number);
        Assert.True(value.IsConstant);
    }

    [Fact]
    public void ParameterDependentValuesCarryTheirCSharp()
    {
        var scope = new Scope(null, "block");
        scope.Set("planes", new IntValue(64) { Expr = new SymName("planes") });
        scope.Set("base_width", new IntValue(64) { Expr = new SymName("baseWidth") });
        scope.Set("groups", new IntValue(32));
        var width = Assert.IsType<IntValue>(Eval("$planes * $base_width // 64 * $groups", scope));
        Assert.Equal(2048, width.Number);
        Assert.Equal("planes * baseWidth / 64 * 32", CSharpExpressions.Render(width.AsExpr()));
        var parenthesised = Assert.IsType<IntValue>(Eval("($planes + 1) * 2", scope));
        Assert.Equal("(planes + 1) * 2", CSharpExpressions.Render(parenthesised.AsExpr()));
        // A constant side of && / || folds away: groups is 32 here.
        var condition = Assert.IsType<BoolValue>(Eval("$planes != 64 && $groups > 1", scope));
        Assert.False(condition.Flag);
        Assert.Equal("planes != 64", CSharpExpressions.Render(condition.AsExpr()));
        var always = Assert.IsType<BoolValue>(Eval("$planes != 64 || $groups > 1", scope));
        Assert.True(always.IsConstant && always.Flag);
    }

    [Theory]
    [InlineData("relu", "relu")]
    [InlineData("same", "same")]
    public void BareWordsAreStrings(string text, string expected) => Assert.Equal(expected, Assert.IsType<StringValue>(Eval(text)).Text);

    [Theory]
    [InlineData("$missing + 1", "IDSL008")]
    [InlineData("1 +", "IDSL013")]
    [InlineData("(1 + 2", "IDSL013")]
    [InlineData("[1] + 1", "IDSL014")]
    [InlineData("4 // 0", "IDSL014")]
    [InlineData("[1, 2][5]", "IDSL014")]
    public void BadExpressionsAreDiagnosed(string text, string id)
    {
        var diagnostics = new List<SpecDiagnostic>();
        var expression = ExprParser.ParseScalar(text, quoted: false, SourceSpan.At("t", 3, 7), diagnostics);
        if (expression is not null)
            ExprEvaluator.Evaluate(expression, new Scope(null, "test"), diagnostics);
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(3, diagnostic.Span.Line);
    }
}
