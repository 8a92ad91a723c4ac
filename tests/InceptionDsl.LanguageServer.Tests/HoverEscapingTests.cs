using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Features;
using InceptionDsl.LanguageServer.Protocol;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>Spec text reaches hover markdown as text: no image, link, HTML, heading or code fence of a spec is live.</summary>
public sealed class HoverEscapingTests
{
    private const string Hostile = "![tracker](http://example.invalid/a.png) [run](command:workbench.action.terminal.new) <img src=x onerror=alert(1)>\n# Heading\u001B]52;c;AAAA\u0007 `code` **bold** \u202Eevil";

    [Theory]
    [InlineData("![x](http://h/a.png)")]
    [InlineData("[run](command:x)")]
    [InlineData("<b>html</b>")]
    [InlineData("line\n# heading")]
    [InlineData("a ``` fence")]
    public void TextCarriesNoMarkdown(string text)
    {
        var shown = MarkdownText.Text(text);
        Assert.DoesNotContain("![", shown);
        Assert.DoesNotContain("](", shown);
        Assert.DoesNotContain("<", shown);
        Assert.DoesNotContain("\n", shown);
        Assert.DoesNotContain("``", shown);
    }

    [Theory]
    [InlineData("plain", "`plain`")]
    [InlineData("a`b", "``a`b``")]
    [InlineData("`x", "`` `x ``")]
    [InlineData("a\nb", "`a\\nb`")]
    public void CodeSpansCannotBeClosedFromInside(string text, string expected) => Assert.Equal(expected, MarkdownText.Code(text));

    [Fact]
    public void AHostileDocIsEscapedInTheHover()
    {
        var spec = File.ReadAllText(Repo.Fixture("resnet"));
        int at = spec.IndexOf("    doc: 1x1 reduce", StringComparison.Ordinal);
        int end = spec.IndexOf('\n', at);
        var escaped = System.Text.Json.JsonSerializer.Serialize(Hostile); // a YAML double-quoted scalar takes JSON's escapes
        spec = spec[..at] + "    doc: " + escaped + spec[end..];
        var analysis = SpecAnalysis.Analyze("hostile.inception.yaml", spec);
        var position = TextAt.Find(spec, "  Bottleneck:", 3);
        var hover = HoverText.For(analysis, position, new ServerSettings(), OpCatalogLanguage.Instance);
        Assert.NotNull(hover);
        var text = hover!.Contents.Value;
        Assert.Contains("tracker", text);
        Assert.DoesNotContain("![", text);
        Assert.DoesNotContain("](", text);
        Assert.DoesNotContain("<img", text);
        Assert.DoesNotContain("\n# Heading", text);
        // Checked by character: a culture-aware search ignores control characters.
        Assert.False(text.Contains('\u001B'), text);
        Assert.False(text.Contains('\u202E'), text);
        Assert.Contains("\\u001B", text);
    }
}
