using CsCheck;
using InceptionDsl.Emit;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The escaping layer every spec text goes through: a literal's value, parsed back by Roslyn, is the
/// text; a comment never contains a line terminator and unescapes to the text; neither can start a
/// directive, end a comment or close a literal.
/// </summary>
public sealed class CSharpTextTests
{
    /// <summary>The characters C# ends a line on (ECMA-334 6.3.2), and their pairs.</summary>
    private static readonly string[] LineTerminators = ["\r", "\n", "\r\n", "\u0085", "\u2028", "\u2029"];

    /// <summary>Hostile texts, as <see cref="TextCase"/> rows so that no two lone surrogates share a test ID.</summary>
    public static TheoryData<TextCase> Hostile()
    {
        var data = new TheoryData<TextCase>();
        foreach (var terminator in LineTerminators)
        {
            data.Add(new TextCase($"stem{terminator}[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwn() {{ }}{terminator}//"));
            data.Add(new TextCase($"a{terminator}#error pwned{terminator}b"));
            data.Add(new TextCase($"a{terminator}#line 1 \"/etc/passwd\"{terminator}b"));
            data.Add(new TextCase($"a{terminator}#pragma warning disable{terminator}"));
        }

        foreach (var text in new[]
        {
            "\"", "\\", "\\\"", "a\"+\"b", "conv\"+\"1", "a\"/*", "*/+\"", "*/", "/* */", "\\u0022", "\\u000A", "\\\\u0041", "end\\",
            "\0", "a\0b", "\u001b[31m", "\u007f", "\u202E;)(nwP", "\u2066x\u2069", "a\u200Bb\u200Cc\u200Dd\uFEFFe", "\uD800", "x\uDC00y", "\uDBFF",
            "\uD83D\uDE00", "</summary><script>&amp;", "]]>", "{0}", "", " ", "\t", "\uFFFF", "\uE000",
        })
        {
            data.Add(new TextCase(text));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ALiteralParsedByRoslynHasTheTextAsItsValue(TextCase text) => AssertLiteralRoundTrips(text.Value);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void ACommentIsOneLineThatUnescapesToTheText(TextCase text) => AssertCommentRoundTrips(text.Value);

    [Theory]
    [MemberData(nameof(Hostile))]
    public void AnXmlDocLineIsOneLineOfTextThatUnescapesToTheText(TextCase text) => AssertXmlDocRoundTrips(text.Value);

    [Fact]
    public void EscapingShowsHiddenCharactersAsCodePoints()
    {
        Assert.Equal("a\\u202Eb", CSharpText.Comment("a\u202Eb"));
        Assert.Equal("\\u0000", CSharpText.Comment("\0"));
        Assert.Equal("\\u2028", CSharpText.Comment("\u2028"));
        Assert.Equal("\"a\\\"b\\\\c\\u000Ad\"", CSharpText.Literal("a\"b\\c\nd"));
        Assert.Equal("null", CSharpText.LiteralOrNull(null));
        Assert.Equal("&lt;b&gt; &amp; \\u0085", CSharpText.XmlDoc("<b> & \u0085"));
        // Ordinary text, astral characters included, is left as it is.
        Assert.Equal("Szegedy et al. 2015, \u00e9 \uD83D\uDE00", CSharpText.Comment("Szegedy et al. 2015, \u00e9 \uD83D\uDE00"));
    }

    [Fact]
    public void ArbitraryTextRoundTripsEverywhere()
    {
        // Any UTF-16 string, lone surrogates included, with the characters that matter most made frequent.
        var special = Gen.OneOf('\r', '\n', '\u0085', '\u2028', '\u2029', '"', '\\', '*', '/', '#', '\0', '\u202E', '\u200B', '<', '&', 'u', '\uD800', '\uDC00');
        var text = Gen.Frequency((3, Gen.Char), (2, special), (2, Gen.Char['\u0020', '\u007e'])).Array[0, 40].Select(chars => new string(chars));
        text.Sample(s =>
        {
            AssertLiteralRoundTrips(s);
            AssertCommentRoundTrips(s);
            AssertXmlDocRoundTrips(s);
        }, iter: PropertyIterations.Scaled(2_000));
    }

    private static void AssertLiteralRoundTrips(string text)
    {
        var code = $"class C {{ const string S = {CSharpText.Literal(text)}; }}";
        var tree = CSharpSyntaxTree.ParseText(code);
        Assert.Empty(tree.GetDiagnostics());
        var literal = tree.GetRoot().DescendantNodes().OfType<LiteralExpressionSyntax>().Single();
        Assert.Equal(text, literal.Token.ValueText);
        Assert.Single(tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>(), m => m is FieldDeclarationSyntax);
    }

    private static void AssertCommentRoundTrips(string text)
    {
        var comment = CSharpText.Comment(text);
        Assert.DoesNotMatch("[\r\n\u0085\u2028\u2029]", comment);
        Assert.Equal(text, CSharpText.Unescape(comment));
        // In code, the comment is one trivia: nothing after it on the line is code, nothing it holds is a directive.
        var tree = CSharpSyntaxTree.ParseText($"// {comment}\nclass C {{ }}\n");
        Assert.Empty(tree.GetDiagnostics());
        var trivia = tree.GetRoot().DescendantTrivia().Where(t => !t.IsKind(SyntaxKind.WhitespaceTrivia) && !t.IsKind(SyntaxKind.EndOfLineTrivia)).ToList();
        Assert.Equal(SyntaxKind.SingleLineCommentTrivia, Assert.Single(trivia).Kind());
        Assert.Single(tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>());
    }

    private static void AssertXmlDocRoundTrips(string text)
    {
        var line = CSharpText.XmlDoc(text);
        Assert.DoesNotMatch("[\r\n\u0085\u2028\u2029<>]", line);
        var tree = CSharpSyntaxTree.ParseText($"/// <summary>\n/// {line}\n/// </summary>\nclass C {{ }}\n",
            new CSharpParseOptions(documentationMode: DocumentationMode.Diagnose));
        Assert.Empty(tree.GetDiagnostics());
        Assert.Single(tree.GetRoot().DescendantNodes().OfType<MemberDeclarationSyntax>());
        var element = tree.GetRoot().DescendantNodes(descendIntoTrivia: true).OfType<XmlElementSyntax>().Single();
        Assert.Equal(text, CSharpText.Unescape(DocLine(element)));
    }

    /// <summary>
    /// The one line inside an XML doc element written as <c>/// &lt;summary&gt;\n/// line\n/// &lt;/summary&gt;</c>, entities
    /// decoded: what a reader of the docs sees.
    /// </summary>
    public static string DocLine(XmlElementSyntax element)
    {
        var text = string.Concat(element.Content.OfType<XmlTextSyntax>().SelectMany(t => t.TextTokens)
            .Where(t => !t.IsKind(SyntaxKind.XmlTextLiteralNewLineToken)).Select(t => t.ValueText));
        // The space after "///" on the text's line and the one before "</summary>".
        return text.Substring(1, text.Length - 2);
    }
}

/// <summary>Iterations of the property tests: a modest count in CI, scaled by INCEPTIONDSL_PROPERTY_ITERATIONS.</summary>
public static class PropertyIterations
{
    /// <summary>INCEPTIONDSL_PROPERTY_ITERATIONS when set, else <paramref name="ci"/>.</summary>
    public static int Scaled(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable("INCEPTIONDSL_PROPERTY_ITERATIONS"), out var n) && n > 0 ? n : ci;
}
