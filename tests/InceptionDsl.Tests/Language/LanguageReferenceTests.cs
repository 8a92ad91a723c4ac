using System.Text.Json.Nodes;
using InceptionDsl.Cli.Explain;
using InceptionDsl.Syntax;
using Xunit;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// One grammar: the language catalog, the parser, the JSON schema and docs/language-reference.md agree. The
/// reference is generated from the catalog (set INCEPTIONDSL_UPDATE_SAMPLES=1 to rewrite it).
/// </summary>
public sealed class LanguageReferenceTests
{
    private static string DocPath => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "docs", "language-reference.md");

    [Fact]
    public void CommittedLanguageReferenceIsWhatTheCatalogWrites()
    {
        var expected = LanguageReference.Markdown();
        if (Environment.GetEnvironmentVariable("INCEPTIONDSL_UPDATE_SAMPLES") == "1")
            File.WriteAllText(DocPath, expected);
        Assert.Equal(expected, File.ReadAllText(DocPath).Replace("\r\n", "\n"));
    }

    [Fact]
    public void EveryNodeKindAndOptionIsInTheReference()
    {
        var text = LanguageReference.Markdown();
        foreach (var op in OpCatalog.Ops)
            Assert.Contains($"| `{op.Key}` |", text);
        foreach (var option in LanguageCatalog.Options.Values.SelectMany(o => o))
            Assert.Contains($"| `{option.Name}` |", text);
        foreach (var op in LanguageCatalog.Operators)
            Assert.Contains(op.Operator, text);
    }

    [Fact]
    public void EveryOptionTheParserAcceptsIsInTheCatalogAndTheOtherWayRound()
    {
        foreach (var op in OpCatalog.Ops.Where(o => o.Shape == OpShape.Options))
            Assert.Equal(op.Options, LanguageCatalog.OptionsOf(op.Key).Select(k => k.Name));
        Assert.Equal(OpCatalog.NodeKeys, LanguageCatalog.NodeKeys.Select(k => k.Name));
        Assert.All(LanguageCatalog.Options.Keys, op => Assert.True(OpCatalog.TryGet(op, out _), op));
    }

    [Fact]
    public void EveryKeyOfTheSchemaHasTheCatalogsDescriptionAndDefault()
    {
        var schema = JsonNode.Parse(SpecSchema.Text())!;
        var node = schema["definitions"]!["node"]!["anyOf"]![1]!["properties"]!;
        void Check(JsonNode? properties, IEnumerable<KeyInfo> keys)
        {
            foreach (var key in keys)
            {
                var description = (string?)properties?[key.Name]?["description"];
                Assert.Equal(SpecSchema.Description(key), description);
                if (key.Default is not null)
                    Assert.Contains("default: " + key.Default, description);
            }
        }

        Check(schema["properties"], LanguageCatalog.TopKeys);
        Check(schema["properties"]!["variants"]!["items"]!["properties"], LanguageCatalog.VariantKeys);
        Check(schema["properties"]!["blocks"]!["additionalProperties"]!["properties"], LanguageCatalog.BlockKeys);
        Check(schema["properties"]!["aux"]!["items"]!["properties"], LanguageCatalog.AuxKeys);
        Check(node, LanguageCatalog.NodeKeys);
        Check(node["residual"]!["properties"], LanguageCatalog.ResidualKeys);
        Check(node["select"]!["properties"], LanguageCatalog.SelectKeys);
        foreach (var (op, options) in LanguageCatalog.Options)
            Check(schema["definitions"]!["options_" + op]!["anyOf"]![1]!["properties"], options);
    }
}
