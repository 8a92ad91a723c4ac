using InceptionDsl.Diagnostics;
using Xunit;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>
/// Errors of independent nodes come in one pass: a failed node no longer hides what is wrong with the nodes after it
/// (an unknown `act:` used to show up only once every earlier error was fixed), and no guess about the shape a later
/// node would have received is reported. A conditional member that changes the channels is one class now (the members
/// after it follow), and the inline form IDSL028 recommends still works.
/// </summary>
public sealed class OnePassErrorTests
{
    private static List<SpecDiagnostic> Errors(string text) =>
        SpecCompiler.Compile("one-pass.inception.yaml", text).Diagnostics.Where(d => d.Severity == SpecSeverity.Error).ToList();

    [Fact]
    public void ErrorsOfIndependentNodesAreReportedTogether()
    {
        var errors = Errors("""
            model: Multi
            input: { channels: 3, size: [32, 32] }
            classes: 10
            defaults:
              conv: { bias: false, bn: true, act: relu }
            blocks:
              B:
                params: [c]
                body:
                  - { name: a, conv: { filters: $c, k: 3, pad: 1, act: softplus } }
            body:
              - { name: stem, conv: { filters: 16, k: 3, pad: 1, act: mish } }
              - { name: b1, use: B, args: [8] }
              - { name: missing, use: NoSuchBlock }
              - global_avgpool
              - { name: fc, linear: $classes }
            """);
        Assert.Equal(["IDSL003", "IDSL003", "IDSL007"], errors.Select(e => e.Id));
        Assert.Equal([10, 12, 14], errors.Select(e => e.Span.Line));
        Assert.Contains("softplus", errors[0].Message);
        Assert.Contains("mish", errors[1].Message);
    }

    [Fact]
    public void NodesAfterAFailedOneReportNoShapeGuesses()
    {
        // 'stem' fails; 'res' would see the image's 3 channels in its place and add 3 to 8: no IDSL020 for that guess.
        var errors = Errors("""
            model: NoGuess
            input: { channels: 3, size: [32, 32] }
            classes: 10
            body:
              - { name: stem, conv: { filters: 8, k: 3, pad: 1, act: softplus } }
              - name: res
                residual:
                  - { conv: { filters: 8, k: 3, pad: 1 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """);
        var error = Assert.Single(errors);
        Assert.Equal("IDSL003", error.Id);
    }

    [Fact]
    public void AConditionalMemberThatChangesChannelsIsOneClassAndTheInlineFormStillWorks()
    {
        const string Spec = """
            model: MiniMobile
            input: { channels: 3, size: [32, 32] }
            classes: 10
            defaults:
              conv: { bias: false, bn: true, act: relu }
            blocks:
              InvertedResidual:
                params: [out, stride, t]
                body:
                  - seq:
                      - { name: expand, conv: { filters: $in_channels * $t, k: 1 }, if: $t != 1 }
                      - conv: { filters: $in_channels * $t, k: 3, stride: $stride, pad: 1, groups: $in_channels * $t }
                      - conv: { filters: $out, k: 1, act: none }
            body:
              - { name: stem, conv: { filters: 16, k: 3, pad: 1 } }
              - { name: b1, use: InvertedResidual, args: [16, 1, 1] }
              - { name: b2, use: InvertedResidual, args: [24, 2, 6] }
              - global_avgpool
              - { name: fc, linear: $classes }
            """;
        // One class serves both uses: b1 (t = 1) skips 'expand', b2 builds it, and the members after it read its output
        // where it is kept and its input where it is not (issue 26's conditional member; this was IDSL028 before).
        Assert.Empty(Errors(Spec));

        // The construct it names works: an inline block is expanded at each use, each deciding its own 'if:'.
        var inline = SpecCompiler.Compile("one-pass.inception.yaml", Spec.Replace("  InvertedResidual:\n", "  InvertedResidual:\n    inline: true\n", StringComparison.Ordinal));
        Assert.False(inline.HasErrors, string.Join("\n", inline.Diagnostics));
        var layers = Assert.Single(inline.Models).Layers.Select(l => l.Path).ToList();
        Assert.Contains("b2.expand", layers);
        Assert.DoesNotContain("b1.expand", layers);
    }
}
