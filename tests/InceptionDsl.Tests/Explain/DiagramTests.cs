using System.Xml.Linq;
using InceptionDsl.Analysis;
using Xunit;

namespace InceptionDsl.Tests.Explain;

public class DiagramTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static List<string> Texts(XDocument doc) => doc.Descendants(Svg + "text").Select(t => t.Value).ToList();

    [Fact]
    public void InceptionV4SvgHasBranchesConcatsAndCollapsedRepeats()
    {
        var doc = XDocument.Parse(DiagramWriter.Svg(ExplainModels.Graph("InceptionV4")));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var texts = Texts(doc);
        Assert.Contains(texts, t => t.StartsWith("InceptionA x4  features.6..features.9", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("InceptionB x7", StringComparison.Ordinal));
        Assert.Contains("1x7 conv, 224", texts);
        Assert.Contains("[224, 17, 17]", texts);
        Assert.Contains("concat", texts);
        Assert.Contains("[1536, 8, 8]", texts);
        Assert.Contains("linear 1536 -> 1000", texts);
        // Shapes the layer rows lack are inferred: Mixed3a's max pool branch, Mixed5a's concat.
        Assert.Equal("[64, 73, 73]", texts[texts.IndexOf("maxpool 3x3/2") + 1]);
        Assert.Contains("[384, 35, 35]", texts);
        // One frame per collapsed group: 3 stem blocks, A, Red-A, B, Red-B, C.
        Assert.Equal(8, doc.Descendants(Svg + "rect").Count(r => (string?)r.Attribute("class") == "frame"));
    }

    [Fact]
    public void ResidualBlocksHaveAddNodesAndAuxHeadsAreShown()
    {
        var texts = Texts(XDocument.Parse(DiagramWriter.Svg(ExplainModels.Graph("InceptionResNetV2"))));
        Assert.Contains("add: 0.17 x body + shortcut", texts);
        Assert.Contains("identity", texts);
        Assert.Contains(texts, t => t.StartsWith("Block35 x10", StringComparison.Ordinal));
        var googlenet = Texts(XDocument.Parse(DiagramWriter.Svg(ExplainModels.Graph("GoogLeNet"))));
        Assert.Contains(googlenet, t => t.StartsWith("aux head aux1: InceptionAux on inception4a", StringComparison.Ordinal));
        Assert.Contains(googlenet, t => t.StartsWith("Inception  inception3a  -> [256, 28, 28]", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ExplainModels.Names), MemberType = typeof(ExplainModels))]
    public void EveryModelDrawsAsWellFormedSvgDotAndMermaid(string name)
    {
        var graph = ExplainModels.Graph(name);
        var doc = XDocument.Parse(DiagramWriter.Svg(graph));
        Assert.True(double.Parse((string)doc.Root!.Attribute("width")!, System.Globalization.CultureInfo.InvariantCulture) > 0);

        var dot = DiagramWriter.Dot(graph);
        Assert.StartsWith($"digraph {name} {{", dot);
        Assert.Equal(dot.Count(c => c == '{'), dot.Count(c => c == '}'));
        Assert.Contains("->", dot);

        var mermaid = DiagramWriter.Mermaid(graph);
        Assert.StartsWith("flowchart TB", mermaid);
        var lines = mermaid.Split('\n').Select(l => l.Trim()).ToList();
        Assert.Equal(lines.Count(l => l.StartsWith("subgraph ", StringComparison.Ordinal)), lines.Count(l => l == "end"));
        Assert.Contains(lines, l => l.Contains("-->", StringComparison.Ordinal));
    }

    [Fact]
    public void DotAndMermaidCarryBlocksAsClusters()
    {
        var dot = DiagramWriter.Dot(ExplainModels.Graph("InceptionV4"));
        Assert.Contains("subgraph cluster_", dot);
        Assert.Contains("InceptionB x7", dot);
        var mermaid = DiagramWriter.Mermaid(ExplainModels.Graph("InceptionV4"));
        Assert.Contains("\"InceptionA x4  features.6..features.9  -> [384, 35, 35]\"", mermaid);
        Assert.Contains("1x7 conv, 224<br/>[224, 17, 17]", mermaid);
    }
}
