using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>Shape errors name the node and both shapes, at the line of the offending node.</summary>
public sealed class ShapeErrorTests
{
    // Specs.Wrap puts "body:" on line 4, so the first body node is on line 5.
    private static void AssertError(string text, string id, int line, params string[] fragments)
    {
        var error = Specs.Error(text);
        Assert.Equal(id, error.Id);
        Assert.Equal(line, error.Span.Line);
        foreach (var fragment in fragments)
            Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void ResidualChannelMismatchNamesTheResidualAndBothShapes() => AssertError(Specs.Wrap("""
          - { name: stem, conv: { filters: 16, k: 3, pad: 1 } }
          - name: res
            residual:
              body:
                - { name: c1, conv: { filters: 32, k: 3, pad: 1 } }
        """), "IDSL020", 7, "'res'", "[16, 32, 32]", "[32, 32, 32]");

    [Fact]
    public void ResidualInsideABlockIsReportedAtTheBlockLine()
    {
        var blocks = """
              Res:
                params: [w]
                body:
                  - residual:
                      body:
                        - { name: c1, conv: { filters: $w, k: 3, pad: 1 } }
            """;
        var text = Specs.Wrap("  - { name: r, use: Res, args: [7] }", blocks);
        // blocks: line 4, Res: 5, params 6, body 7, residual 8.
        AssertError(text, "IDSL020", 8, "[3, 32, 32]", "[7, 32, 32]");
    }

    [Fact]
    public void ConcatSpatialMismatchNamesBothBranchesAndShapes() => AssertError(Specs.Wrap("""
          - name: mix
            concat:
              - { name: a, conv: { filters: 8, k: 1 } }
              - { name: b, conv: { filters: 8, k: 3, stride: 2 } }
        """), "IDSL021", 8, "'mix'", "'a'", "'b'", "[8, 32, 32]", "[8, 15, 15]");

    [Fact]
    public void SpatialSizeReachingZeroIsReportedAtThePoolThatCollapsesIt() => AssertError(Specs.Wrap("""
          - { name: c, conv: { filters: 8, k: 3, stride: 2, pad: 1 } }
          - maxpool: { k: 2 }
          - maxpool: { k: 2 }
          - maxpool: { k: 2 }
          - maxpool: { k: 2 }
          - maxpool: { k: 2 }
        """), "IDSL022", 10, "[8, 1, 1]", "kernel 2");

    [Fact]
    public void KernelLargerThanPaddedInputNamesTheNode() => AssertError(Specs.Wrap("""
          - { name: stem, conv: { filters: 8, k: 3, stride: 4 } }
          - { name: big, conv: { filters: 8, k: 11, pad: 1 } }
        """), "IDSL023", 6, "'big'", "[8, 8, 8]");

    [Fact]
    public void ClassifierInputMismatchNamesTheLinearAndBothSizes() => AssertError(Specs.Wrap("""
          - { name: c, conv: { filters: 16, k: 3 } }
          - global_avgpool
          - { name: fc, linear: { out: 10, in: 32 } }
        """), "IDSL024", 7, "'fc'", "32", "[16]");

    [Fact]
    public void ClassifierOnAFeatureMapIsReported() => AssertError(Specs.Wrap("""
          - { name: c, conv: { filters: 16, k: 3 } }
          - { name: fc, linear: 10 }
        """), "IDSL024", 6, "'fc'", "[16, 30, 30]");

    [Fact]
    public void ChannelsAndSpatialSizeAreInferredThroughEveryNode()
    {
        var model = Specs.Model(Specs.Wrap("""
              - { name: stem, conv: { filters: 16, k: 3, stride: 2, pad: 1 } }
              - name: mix
                concat:
                  - { name: a, conv: { filters: 8, k: 1 } }
                  - { name: b, conv: { filters: 4, k: 3, pad: 1 } }
              - name: res
                residual:
                  body:
                    - { name: r1, conv: { filters: 12, k: 3, pad: 1 } }
              - maxpool: { k: 2 }
              - global_avgpool
              - { name: fc, linear: $classes }
            """));
        Assert.Equal("[16, 16, 16]", Specs.Row(model, "stem").OutputShape);
        Assert.Equal("[8, 16, 16]", Specs.Row(model, "a").OutputShape);
        Assert.Equal("[4, 16, 16]", Specs.Row(model, "b").OutputShape);
        Assert.Equal("[12, 16, 16]", Specs.Row(model, "r1").OutputShape);
        Assert.Equal("[10]", Specs.Row(model, "fc").OutputShape);
    }
}
