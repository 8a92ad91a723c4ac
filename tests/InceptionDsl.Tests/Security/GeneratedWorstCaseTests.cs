using InceptionDsl.Diagnostics;
using InceptionDsl.Syntax;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The generated worst cases of <see cref="HostileSpecs"/> (1 MB files, 150,000-character names,
/// hundreds of thousands of keys, exponential nesting): each has its outcome and must finish. The bound
/// on time is loose on purpose (a shared 2-core machine); the benchmark (HostileSpecBenchmarks) has the
/// figures.
/// </summary>
public sealed class GeneratedWorstCaseTests
{
    /// <summary>Far above the 2 s target, far below a hang.</summary>
    private static readonly TimeSpan MustFinishWithin = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Cases() => new(HostileSpecs.All.Select(h => h.Name));

    private static HostileSpec Case(string name) => HostileSpecs.All.Single(h => h.Name == name);

    private static async Task<T> Within<T>(Func<T> work, string what)
    {
        var task = Task.Run(work);
        Assert.True(await Task.WhenAny(task, Task.Delay(MustFinishWithin)) == task, $"{what} did not finish within {MustFinishWithin.TotalSeconds} s");
        return await task;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SpecCompilerFinishesWithTheExpectedOutcome(string name)
    {
        var hostile = Case(name);
        Assert.True(hostile.Text.Length <= SpecLimits.MaxFileChars, "the case must be read, not refused for its size");
        var result = await Within(() => SpecCompiler.Compile("/hostile/" + name + ".inception.yaml", hostile.Text), name);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == Descriptors.InternalError.Id);
        Assert.True(result.Diagnostics.Count <= SpecLimits.MaxDiagnostics + 1, $"{result.Diagnostics.Count} diagnostics");
        Assert.All(result.Diagnostics, d => Assert.True(d.Message.Length <= MessageText.MaxMessageChars + 40 && !d.Message.Contains('\n'), d.Message[..Math.Min(200, d.Message.Length)]));
        if (hostile.ExpectedId is null)
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics.Take(5)));
        else
            Assert.Contains(result.Diagnostics, d => d.Id == hostile.ExpectedId && d.Severity == SpecSeverity.Error);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task TheGeneratorFinishesAndReportsTheOutcome(string name)
    {
        var hostile = Case(name);
        if (hostile.ExpectedId is null && hostile.Text.Length < 100_000)
            return; // an accepted 19,000-layer model: its C# is compiled by the benchmark's generator run, not here (seconds of Roslyn)
        var path = "/hostile/" + name + ".inception.yaml";
        var run = await Within(() => GeneratorHarness.CreateDriver().AddAdditionalTexts([new InMemoryAdditionalText(path, hostile.Text)])
            .RunGenerators(GeneratorHarness.EmptyCompilation()).GetRunResult(), name);
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "AD0001" or "IDSL099");
        if (hostile.ExpectedId is not null)
            Assert.Contains(run.Diagnostics, d => d.Id == hostile.ExpectedId);
    }

    [Fact]
    public void ThirtyLevelsOfInlineBlocksFailAtTheUseBeforeAnythingIsExpanded()
    {
        var result = SpecCompiler.Compile("nested.inception.yaml", HostileSpecs.NestedBlocks(30, 2, inline: true));
        var error = Assert.Single(result.Diagnostics);
        Assert.Equal("IDSL012", error.Id);
        Assert.Equal(HostileSpecs.NestedBlocks(30, 2, inline: true).Split('\n').ToList().FindIndex(l => l.Contains("use: L0")) + 1, error.Span.Line);
        Assert.Contains("counted before expanding", error.Message);
    }

    [Fact]
    public async Task AFileOverTheSizeLimitIsRefusedBeforeItIsParsed()
    {
        var text = "model: Big\n" + new string('#', SpecLimits.MaxFileChars);
        var result = await Within(() => SpecCompiler.Compile("big.inception.yaml", text), "oversized file");
        Assert.Equal("IDSL012", Assert.Single(result.Diagnostics).Id);
    }
}
