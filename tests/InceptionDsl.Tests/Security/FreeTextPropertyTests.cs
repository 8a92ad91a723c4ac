using System.Globalization;
using System.Text;
using CsCheck;
using InceptionDsl.Emit;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// A spec's free text is data: arbitrary Unicode (every C# line terminator, quotes, backslashes, <c>*/</c>,
/// <c>#</c> directives, controls, bidirectional and zero-width characters) in every free-text field and in
/// the spec's file name leaves the generated code's syntax tree exactly that of the same spec with plain
/// text, parsing and compiling with no diagnostic, and each text comes back unchanged: a string literal's
/// value equals it, a doc comment unescapes to it. Through the real generator driver.
/// Scale with <c>INCEPTIONDSL_PROPERTY_ITERATIONS</c>.
/// </summary>
public sealed class FreeTextPropertyTests
{
    /// <summary>The free texts of a spec, and its file name.</summary>
    public sealed record Texts(string Doc, string Paper, string Peer, string Reference, string Notes, string FileName);

    private static readonly Gen<string> Hostile = HostileText();

    /// <summary>Unicode scalar values, with the characters that could become code made frequent.</summary>
    private static Gen<string> HostileText()
    {
        var special = Gen.OneOf("\r", "\n", "\r\n", "\u0085", "\u2028", "\u2029", "\"", "\\", "*/", "/*", "//", "#error x", "#line 1 \"/etc/passwd\"",
            "#pragma warning disable", "#if X", "\0", "\u0001", "\u001b", "\u202E", "\u2066", "\u200B", "\u200D", "\uFEFF", "<", ">", "&", "]]>",
            "\\u0022", "\"+\"", "{", "}", ";", "[global::System.Runtime.CompilerServices.ModuleInitializer] static void P() { }", "\uD83D\uDE00", "\u00e9");
        var scalar = Gen.Frequency(
            (4, Gen.Int[0x20, 0x7E]),
            (2, Gen.Int[0, 0xD7FF]),
            (1, Gen.Int[0xE000, 0x10FFFF])).Select(char.ConvertFromUtf32);
        return Gen.Frequency((3, scalar), (2, special)).Array[0, 12].Select(parts => string.Concat(parts));
    }

    private static readonly Gen<Texts> TextsGen = Gen.Select(Hostile, Hostile, Hostile, Hostile, Hostile, Hostile,
        (doc, paper, peer, reference, notes, file) => new Texts(doc, paper, peer, reference, notes,
            // A file name holds any character but the path separator.
            file.Replace("/", "\u2215").Replace("\0", "") + ".inception.yaml"));

    private static readonly Texts Plain = new("doc", "paper", "peer", "reference", "notes", "plain.inception.yaml");

    [Fact]
    public void ArbitraryTextInEveryFieldStaysData()
    {
        var expected = Shape(Plain);
        TextsGen.Sample(texts =>
        {
            var (shape, sources) = Generate(texts);
            Assert.Equal(expected, shape);
            AssertRoundTrips(texts, sources);
        }, iter: PropertyIterations.Scaled(25), threads: 1);
    }

    [Fact]
    public void TheWorstTextsOfTheIssueStayData()
    {
        var expected = Shape(Plain);
        foreach (var terminator in new[] { "\r", "\n", "\r\n", "\u0085", "\u2028", "\u2029" })
        {
            var payload = $"stem{terminator}[global::System.Runtime.CompilerServices.ModuleInitializer] internal static void Pwn() {{ }}{terminator}#error x{terminator}#line 1 \"/etc/passwd\"{terminator}//";
            var texts = new Texts(payload, payload, payload, payload, payload, "a\"" + terminator.Replace("\n", "\u2028") + "*\\#error.inception.yaml");
            var (shape, sources) = Generate(texts);
            Assert.Equal(expected, shape);
            AssertRoundTrips(texts, sources);
        }
    }

    /// <summary>The spec with the texts, each a YAML double-quoted scalar with every character outside printable ASCII escaped.</summary>
    public static string Spec(Texts texts) => $$"""
        model: FreeText
        paper: {{Yaml(texts.Paper)}}
        peer: {{Yaml(texts.Peer)}}
        reference: {{Yaml(texts.Reference)}}
        notes: {{Yaml(texts.Notes)}}
        input: { channels: 3, size: 32 }
        classes: 10
        weights:
          - name: Published
            file: {{Yaml(WeightsFile(texts))}}
            sha256: 0123abcd
            source: {{Yaml(texts.Paper)}}
            license: {{Yaml(texts.Peer)}}
            mean: [0.5, 0.5, 0.5]
            std: [0.5, 0.5, 0.5]
            top1: 70
            cite: {{Yaml(texts.Notes)}}
        blocks:
          Unit:
            doc: {{Yaml(texts.Doc)}}
            params: [width]
            body:
              - { name: conv, conv: { filters: $width, k: 3, pad: 1 } }
        body:
          - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }
          - { name: unit, use: Unit, args: [16] }
          - global_avgpool
          - { name: fc, linear: $classes }

        """;

    /// <summary>The weights entry's file name: the doc text without directory separators (a file name has none).</summary>
    private static string WeightsFile(Texts texts) => texts.Doc.Replace("/", "\u2215").Replace("\\", "\u2216") + ".pth";

    public static string Yaml(string text)
    {
        var builder = new StringBuilder("\"");
        for (int i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"' || c == '\\')
                builder.Append('\\').Append(c);
            else if (c is >= ' ' and <= '~')
                builder.Append(c);
            else if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                builder.Append("\\U").Append(char.ConvertToUtf32(c, text[++i]).ToString("X8", CultureInfo.InvariantCulture));
            else
                builder.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
        }

        return builder.Append('"').ToString();
    }

    /// <summary>Runs the generator; requires no diagnostic of the spec, and generated code that parses and compiles cleanly.</summary>
    private static (string Shape, IReadOnlyList<SyntaxTree> Sources) Generate(Texts texts)
    {
        var path = Path.Combine(Path.GetTempPath(), "free-text", texts.FileName);
        var (run, output) = GeneratorHarness.Run((path, Spec(texts)));
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.True(run.Diagnostics.IsEmpty, string.Join("\n", run.Diagnostics));
        var trees = run.GeneratedTrees.ToList();
        Assert.All(trees, t => Assert.Empty(t.GetDiagnostics()));
        var problems = GeneratorHarness.CompileProblems(output);
        Assert.True(problems.Count == 0, string.Join("\n", problems.Take(10)));
        return (Shape(trees), trees);
    }

    private static string Shape(Texts texts) => Generate(texts).Shape;

    /// <summary>
    /// The declarations of the generated code, in order: kind, name, parameters; every statement kind of
    /// every body. Two runs with the same shape declare the same types and members and run the same code.
    /// </summary>
    public static string Shape(IEnumerable<SyntaxTree> trees)
    {
        var builder = new StringBuilder();
        foreach (var tree in trees.OrderBy(t => Path.GetFileName(t.FilePath), StringComparer.Ordinal))
        {
            builder.Append("file ").Append(Path.GetFileName(tree.FilePath)).Append('\n');
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                switch (node)
                {
                    case BaseTypeDeclarationSyntax type:
                        builder.Append(type.Kind()).Append(' ').Append(type.Identifier.ValueText).Append('\n');
                        break;
                    case MemberDeclarationSyntax member:
                        builder.Append("  ").Append(member.Kind()).Append(' ').Append(Name(member)).Append('\n');
                        break;
                    case StatementSyntax statement:
                        builder.Append("    ").Append(statement.Kind()).Append('\n');
                        break;
                    case DirectiveTriviaSyntax directive:
                        builder.Append("#").Append(directive.Kind()).Append('\n');
                        break;
                }
            }

            foreach (var directive in tree.GetRoot().DescendantTrivia().Where(t => t.IsDirective))
                builder.Append("# ").Append(directive.Kind()).Append('\n');
        }

        return builder.ToString();
    }

    private static string Name(MemberDeclarationSyntax member) => member switch
    {
        MethodDeclarationSyntax method => method.Identifier.ValueText + method.ParameterList,
        ConstructorDeclarationSyntax constructor => constructor.Identifier.ValueText + constructor.ParameterList,
        PropertyDeclarationSyntax property => property.Identifier.ValueText,
        FieldDeclarationSyntax field => string.Join(",", field.Declaration.Variables.Select(v => v.Identifier.ValueText)),
        BaseNamespaceDeclarationSyntax ns => ns.Name.ToString(),
        _ => member.Kind().ToString(),
    };

    private static void AssertRoundTrips(Texts texts, IReadOnlyList<SyntaxTree> trees)
    {
        // The catalog's entry: Name, Spec (file name), Paper, Peer, Reference as string literals.
        var zoo = trees.Single(t => t.FilePath.EndsWith(ZooEmitter.HintName, StringComparison.Ordinal));
        var entry = zoo.GetRoot().DescendantNodes().OfType<ObjectCreationExpressionSyntax>().Single(o => o.Type.ToString() == "ZooEntry");
        var values = entry.ArgumentList!.Arguments.Take(5).Select(a => a.Expression is LiteralExpressionSyntax literal && literal.IsKind(SyntaxKind.StringLiteralExpression)
            ? literal.Token.ValueText : null).ToList();
        var reference = texts.Reference.Trim();
        Assert.Equal(["FreeText", texts.FileName, texts.Paper, texts.Peer,
            reference.Length == 0 || reference.Equals("none", StringComparison.OrdinalIgnoreCase) ? null : reference], values);

        // The weights entry: its file name, source (the paper text), license (the peer text) and citation (the notes) as string literals.
        var model0 = trees.Single(t => t.FilePath.EndsWith("FreeText.g.cs", StringComparison.Ordinal)).GetRoot();
        var weights = model0.DescendantNodes().OfType<ObjectCreationExpressionSyntax>().Single(o => o.Type.ToString().EndsWith(".PretrainedWeights", StringComparison.Ordinal));
        string? Argument(string name) => weights.ArgumentList!.Arguments.Single(a => a.NameColon?.Name.Identifier.ValueText == name).Expression is LiteralExpressionSyntax literal
            && literal.IsKind(SyntaxKind.StringLiteralExpression) ? literal.Token.ValueText : null;
        Assert.Equal((WeightsFile(texts), texts.Paper, texts.Peer, texts.Notes), (Argument("FileName"), Argument("Source"), Argument("License"), Argument("Citation")));

        // The model's summary names the file, the paper and the peer; the block's summary carries its doc.
        var model = trees.Single(t => t.FilePath.EndsWith("FreeText.g.cs", StringComparison.Ordinal)).GetRoot();
        var modelDoc = Summary(model.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "FreeText"));
        Assert.Contains($"FreeText, generated from {texts.FileName}.", modelDoc);
        Assert.Contains($"Paper: {texts.Paper}.", modelDoc);
        Assert.Contains($"Peer (state_dict names match): {texts.Peer}.", modelDoc);
        var blockDoc = Summary(model.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.ValueText == "Unit"));
        Assert.Contains(blockDoc, line => line.StartsWith($"Block 'Unit': {texts.Doc}. Output [", StringComparison.Ordinal));

        // The header comment names the file.
        var header = model.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.SingleLineCommentTrivia)).Select(t => CSharpText.Unescape(t.ToString())).ToList();
        Assert.Contains($"// Generated by the InceptionDsl source generator from {texts.FileName}.", header);
    }

    /// <summary>A declaration's summary lines, each as the reader sees it once unescaped.</summary>
    private static List<string> Summary(MemberDeclarationSyntax declaration)
    {
        var doc = declaration.GetLeadingTrivia().Select(t => t.GetStructure()).OfType<DocumentationCommentTriviaSyntax>().Single();
        var summary = doc.Content.OfType<XmlElementSyntax>().Single(e => e.StartTag.Name.ToString() == "summary");
        var lines = new List<string>();
        var current = new StringBuilder();
        foreach (var token in summary.Content.OfType<XmlTextSyntax>().SelectMany(t => t.TextTokens))
        {
            if (token.IsKind(SyntaxKind.XmlTextLiteralNewLineToken))
            {
                lines.Add(CSharpText.Unescape(current.ToString().Trim(' ')));
                current.Clear();
            }
            else
            {
                current.Append(token.ValueText);
            }
        }

        return lines;
    }
}
