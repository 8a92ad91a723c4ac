using InceptionDsl.Analysis.Source;
using InceptionDsl.LanguageServer.Features;
using Xunit;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>
/// The editor features on a select node (selective kernels): a hover on a path or an attention member
/// shows its shape and state_dict path (from the lowering, as for any node), and the outline lists the
/// select with its paths and attention.
/// </summary>
public sealed class SelectiveKernelHoverTests
{
    private const string Spec = """
        model: SelectHover
        input: { channels: 4, size: 16 }
        classes: 10
        body:
          - name: sk
            select:
              split: true
              paths:
                - conv: { filters: 8, k: 3, pad: 1, bn: true, act: relu }
                - conv: { filters: 8, k: 3, pad: 2, dilation: 2, bn: true, act: relu }
              attn:
                - adaptive_avgpool: 1
                - { name: fc_reduce, conv: { filters: 4, k: 1 } }
                - { name: fc_select, conv: { filters: 16, k: 1 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        """;

    [Fact]
    public void HoverOnAPathShowsItsShapeAndPath()
    {
        var analysis = SpecAnalysis.Analyze("select.inception.yaml", Spec);
        var hover = HoverText.For(analysis, TextAt.Find(Spec, "conv: { filters: 8, k: 3, pad: 2", 1), new ServerSettings(), OpCatalogLanguage.Instance);
        Assert.NotNull(hover);
        var text = hover!.Contents.Value;
        Assert.Contains("[8, 16, 16]", text);
        Assert.Contains("paths.1", text);
        Assert.Contains("[2, 16, 16] →", text);
    }

    [Fact]
    public void HoverOnAnAttentionMemberShowsItsShape()
    {
        var analysis = SpecAnalysis.Analyze("select.inception.yaml", Spec);
        var hover = HoverText.For(analysis, TextAt.Find(Spec, "conv: { filters: 16, k: 1", 1), new ServerSettings(), OpCatalogLanguage.Instance);
        Assert.NotNull(hover);
        Assert.Contains("[16, 1, 1]", hover!.Contents.Value);
        Assert.Contains("attn.fc_select", hover.Contents.Value);
    }

    [Fact]
    public void TheOutlineHoldsTheSelectItsPathsAndItsAttention()
    {
        var analysis = SpecAnalysis.Analyze("select.inception.yaml", Spec);
        Assert.False(analysis.Result.HasErrors);
        var select = Assert.Single(Symbols.For(analysis, new ServerSettings()), s => s.Name == "sk");
        Assert.Equal(Protocol.SymbolKind.Namespace, select.Kind);
        // The two paths, then the attention's members.
        Assert.Equal(new[] { "conv", "conv", "adaptive_avgpool", "fc_reduce", "fc_select" }, select.Children!.Select(c => c.Name));
    }
}
