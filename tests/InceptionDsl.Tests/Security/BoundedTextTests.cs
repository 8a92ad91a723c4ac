using CsCheck;
using InceptionDsl.Diagnostics;
using InceptionDsl.Expressions;
using InceptionDsl.Syntax;
using InceptionDsl.Text;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The text a diagnostic shows: expressions printed from the tree keep the parentheses their meaning
/// needs (printing then parsing gives the same tree), messages are one line whatever they quote, and
/// did-you-mean's banded distance agrees with the full Levenshtein distance within its band.
/// </summary>
public sealed class BoundedTextTests
{
    private static readonly SourceSpan At = SourceSpan.At("e.inception.yaml", 1, 1);

    private static ExprSyntax Parse(string text)
    {
        var diagnostics = new List<SpecDiagnostic>();
        var expression = ExprParser.ParseScalar(text, quoted: false, At, diagnostics);
        Assert.True(expression is not null, text + ": " + string.Join("; ", diagnostics));
        return expression!;
    }

    [Theory]
    [InlineData("8 % ($a - 4)", "8 % ($a - 4)")]
    [InlineData("-($a - 1)", "-($a - 1)")]
    [InlineData("($a + 1) * 2", "($a + 1) * 2")]
    [InlineData("$a - ($b - $c)", "$a - ($b - $c)")]
    [InlineData("($a - $b) - $c", "$a - $b - $c")]
    [InlineData("(($a * 2)) + 1", "$a * 2 + 1")]
    [InlineData("(-$a)[0]", "(-$a)[0]")]
    [InlineData("($a < $b) == ($c < $d)", "($a < $b) == ($c < $d)")]
    [InlineData("!($a && $b) || $c", "!($a && $b) || $c")]
    [InlineData("$a && ($b || $c)", "$a && ($b || $c)")]
    [InlineData("max($a, ($b + 1) // 2)", "max($a, ($b + 1) // 2)")]
    [InlineData("[$a, -(1 - $b)][$i % 2]", "[$a, -(1 - $b)][$i % 2]")]
    public void DisplayKeepsTheParenthesesTheMeaningNeeds(string written, string shown)
    {
        var tree = Parse(written);
        Assert.Equal(shown, tree.Display);
        Assert.Equal(tree, Parse(tree.Display));
    }

    private static readonly string[] Operators = { "||", "&&", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "//", "%" };

    private static Gen<string> Pick(params string[] choices) => Gen.Int[0, choices.Length - 1].Select(i => choices[i]);

    private static readonly Gen<ExprSyntax> Leaf = Gen.OneOf(
        Gen.Int[0, 99].Select(n => (ExprSyntax)new LiteralExpr((long)n, At)),
        Pick("a", "b", "i").Select(n => (ExprSyntax)new VariableExpr(n, At)));

    private static Gen<ExprSyntax> Tree(int depth) => depth == 0 ? Leaf : Gen.Frequency(
        (2, Leaf),
        (4, Gen.Select(Pick(Operators), Tree(depth - 1), Tree(depth - 1), (op, l, r) => (ExprSyntax)new BinaryExpr(op, l, r, At))),
        (1, Gen.Select(Pick("-", "!"), Tree(depth - 1), (op, e) => (ExprSyntax)new UnaryExpr(op, e, At))),
        (1, Gen.Select(Tree(depth - 1), Tree(depth - 1), (t, i) => (ExprSyntax)new IndexExpr(t, i, At))));

    [Fact]
    public void PrintingAnyTreeThenParsingItGivesTheSameTree()
    {
        // Comparisons do not chain in the grammar ('a < b < c' is an error), so the printer must bracket them.
        // A lone number or negated number reads back as a literal (-5 is the number, not minus five): skipped.
        Tree(5).Where(tree => tree is not (LiteralExpr or UnaryExpr { Operand: LiteralExpr }))
            .Sample(tree => Assert.Equal(tree, Parse(tree.Display)), iter: 20_000);
    }

    [Theory]
    [InlineData("a\nb", "a\\nb")]
    [InlineData("a\rb", "a\\rb")]
    [InlineData("a\u0085b", "a\\u0085b")]
    [InlineData("a\u2028b\u2029c", "a\\u2028b\\u2029c")]
    [InlineData("a\u202Eb\u200Bc\0d\te", "a\\u202Eb\\u200Bc\\0d\\te")]
    public void AMessageIsOneLineWithItsHiddenCharactersEscaped(string name, string shown)
    {
        var diagnostic = Descriptors.UndefinedBlock.Create(At, name, "");
        Assert.Equal($"Block '{shown}' is not defined", diagnostic.Message);
    }

    [Fact]
    public void ALongNameIsShortenedToItsStartAndLength()
    {
        var diagnostic = Descriptors.UndefinedBlock.Create(At, new string('x', 150_000), "");
        Assert.Equal($"Block '{new string('x', 40)}...(150000 characters)' is not defined", diagnostic.Message);
    }

    [Fact]
    public void AnyMessageIsOneLineOfBoundedLength()
    {
        Gen.String[Gen.Char, 0, 3000].Sample(text =>
        {
            var message = Descriptors.BadNode.Create(At, text).Message;
            Assert.DoesNotMatch("[\0-\u001f\u0085\u2028\u2029]", message);
            Assert.True(message.Length <= MessageText.MaxMessageChars + 40);
        }, iter: 2_000);
    }

    private static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    [Fact]
    public void TheBandedDistanceIsTheLevenshteinDistanceWithinItsBand()
    {
        var word = Gen.String[Gen.Char['a', 'd'], 0, 12];
        Gen.Select(word, word, Gen.Int[0, 4]).Sample((a, b, max) =>
        {
            int full = Levenshtein(a, b);
            Assert.Equal(full <= max ? full : int.MaxValue, DidYouMean.BoundedDistance(a, b, max));
        }, iter: 20_000);
    }

    [Fact]
    public void DidYouMeanSkipsNamesPastItsLengthBoundAndListsAtMostMaxListed()
    {
        var longName = new string('a', SpecLimits.MaxSuggestedNameChars + 1);
        Assert.DoesNotContain("did you mean", DidYouMean.Hint(longName + "b", new[] { longName + "c" }));
        Assert.Equal(" (did you mean 'conv'?)", DidYouMean.Hint("cinv", new[] { "bn", "conv", "relu" }));
        Assert.Equal(" (did you mean 'Reduction'?)", DidYouMean.Hint("Reductoin", new[] { "Stem", "Reduction" }));
        var many = Enumerable.Range(0, 5000).Select(i => "Block" + i).ToList();
        var hint = DidYouMean.Hint("Zzzzzzzzzzzz", many);
        Assert.EndsWith(", ...)", hint);
        Assert.Equal(DidYouMean.MaxListed, hint.Split(", ").Length - 1);
    }
}
