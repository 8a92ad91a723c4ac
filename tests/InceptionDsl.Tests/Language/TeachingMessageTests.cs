using InceptionDsl.Diagnostics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Language;

/// <summary>
/// Issue 15's messages that teach and the family features: errors name the node's spec path and
/// point at the block use (with its argument values) or the defaults entry behind them; a comma in
/// an unquoted flow value asks for quotes; variants set classes and input; defaults use parameters.
/// </summary>
public sealed class TeachingMessageTests
{
    [Fact]
    public void AnErrorInABlockPointsAtTheUseWithItsArgumentValues()
    {
        var error = Specs.Error(Specs.Wrap("""
              - { name: ok, use: Down, args: { k: 3 } }
              - { name: bad, use: Down, args: { k: 40 } }
            """, """
              Down:
                params: [k]
                body:
                  - { name: pool, maxpool: { k: $k, stride: 2 } }
            """));
        Assert.Equal("IDSL023", error.Id);
        Assert.Contains("'bad.pool'", error.Message);
        var use = Assert.Single(error.Related);
        Assert.Equal(11, use.Span.Line);
        Assert.Equal("in block 'Down' used as 'bad' with k: 40", use.Message);
    }

    [Fact]
    public void ShapeErrorsNameSeqChildrenByTheirPath()
    {
        var error = Specs.Error(Specs.Wrap("""
              - name: classifier
                seq:
                  - { linear: 10 }
            """));
        Assert.Equal("IDSL024", error.Id);
        Assert.Contains("'classifier.0'", error.Message);
    }

    [Fact]
    public void ActFromDefaultsOnANamedConvInASeqIsReportedAtTheDefaultsLine()
    {
        // An unnamed conv's activation takes the next position (SeqCompositionTests); a named one has none to take.
        var error = Specs.Error(Specs.Wrap("""
              - name: features
                seq:
                  - { name: c, conv: { filters: 8, k: 3 } }
            """, extra: "defaults:\n  conv: { act: relu }"));
        Assert.Equal("IDSL017", error.Id);
        Assert.Equal(5, error.Span.Line);
        Assert.Contains("'features.c'", error.Message);
        Assert.Contains("from defaults: (line 5)", error.Message);
        Assert.Equal(9, Assert.Single(error.Related).Span.Line);
    }

    [Fact]
    public void AWrongOptionFromDefaultsIsReportedThereAndAtTheNode()
    {
        var error = Specs.Error(Specs.Wrap("  - { name: c, conv: { filters: 8, k: 3 } }", extra: "defaults:\n  conv: { stride: wide }"));
        Assert.Equal("IDSL003", error.Id);
        Assert.Equal(5, error.Span.Line);
        Assert.Equal(7, Assert.Single(error.Related).Span.Line);
    }

    [Fact]
    public void ACommaInAnUnquotedFlowExpressionAsksForQuotesInOneError()
    {
        var result = SpecCompiler.Compile("t.inception.yaml", Specs.Wrap("""
              - { name: c, use: B }
            """, """
              B:
                let: { w: max(8, $in_channels) }
                body:
                  - conv: { filters: $w, k: 1 }
            """));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("IDSL013", error.Id);
        Assert.Contains("quote an expression that has a comma", error.Message);
    }

    private const string Family = """
        variants:
          - { model: Big, args: { width: 8 } }
          - { model: Small, args: { width: 4, num_classes: 10 }, classes: $num_classes, input: { channels: 1, size: 16 } }
        input: { channels: 3, size: 32 }
        classes: 1000
        params: [width, num_classes: 5, double: $width * 2, aux: true]
        blocks:
          Unit:
            params: [filters, wide: $filters * 2]
            body:
              - { name: conv, conv: { filters: $wide, k: 3, pad: 1 } }
          Head:
            body:
              - global_avgpool
              - { name: fc, linear: $classes }
        body:
          - { name: u1, use: Unit, args: { filters: $double } }
          - { name: u2, use: Unit, args: { filters: 3, wide: 6 } }
          - global_avgpool
          - { name: fc, linear: $classes }
        aux:
          - { name: aux, at: u1, use: Head, if: "$width > 4" }
        """;

    [Fact]
    public void VariantsSetClassesAndInputAndDefaultsUseParameters()
    {
        var result = SpecCompiler.Compile("family.inception.yaml", Family);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var big = result.Models.Single(m => m.ClassName == "Big");
        var small = result.Models.Single(m => m.ClassName == "Small");
        Assert.Equal(1000, big.Classes);
        Assert.Equal(10, small.Classes);
        Assert.Equal((1L, 16L), (small.InChannels, small.Height));
        // double = width * 2, wide = filters * 2: u1 of Big has 32 filters, Small's 16.
        Assert.Equal("[32, 32, 32]", Specs.Row(big, "u1").OutputShape);
        Assert.Equal("[16, 16, 16]", Specs.Row(small, "u1").OutputShape);
        // The default that uses a parameter has no C# literal: every use passes it.
        var unit = big.Blocks.Single(b => b.Name == "Unit");
        Assert.Null(unit.Params.Single(p => p.Name == "wide").Default);
        Assert.Contains("wide: 32", big.Body.Members.Single(m => m.StateName == "u1").Init());
        // The aux head is switched off for the variant where its condition is false.
        Assert.Single(big.Aux);
        Assert.Empty(small.Aux);
    }

    [Fact]
    public void ClassesOfAnUndeclaredParameterListsTheDeclaredOnes()
    {
        var error = Specs.Error(Family.Replace("classes: $num_classes", "classes: $num_clases"));
        Assert.Equal("IDSL008", error.Id);
        Assert.Contains("$num_classes", error.Message);
        Assert.DoesNotContain("declares no parameters", error.Message);
    }

    [Fact]
    public void RelatedPlacesPrintAsNotes()
    {
        var diagnostic = new SpecDiagnostic("IDSL023", SpecSeverity.Error, "m", Text.SourceSpan.At("f.yaml", 3, 5))
            .WithRelated(Text.SourceSpan.At("f.yaml", 9, 7), "in block 'B' used as 'b' with k: 40");
        Assert.Equal(["f.yaml(9,7): note: in block 'B' used as 'b' with k: 40"], diagnostic.RelatedLines());
    }
}
