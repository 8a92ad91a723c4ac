using System.Text.RegularExpressions;
using InceptionDsl.Diagnostics;
using InceptionDsl.Tests.Diagnostics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The bounded-work, aux-head and diagnostic-text part of the hostile corpus (Security/corpus/limit_*,
/// aux_*, msg_*; format in /docs/security.md): each file's first line is its outcome (<c># expect:
/// IDSLnnn line N</c> or <c># expect: accepted</c>), and a <c># message: text</c> line, where present,
/// is text the expected diagnostic's message must contain. Run through the core pipeline, the real
/// generator driver and <c>inceptiondsl check</c>; every message must be one line.
/// </summary>
public sealed partial class LimitsCorpusTests
{
    private static readonly string[] Prefixes = { "limit_", "aux_", "msg_" };

    [GeneratedRegex(@"^# expect: (?:(IDSL\d{3}) line (\d+)|(accepted))\r?\n(?:# message: (.*)\r?\n)?")]
    private static partial Regex Header();

    public sealed record Expectation(string Path, string Text, string? Id, int Line, string? Message);

    public static string CorpusDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "tests", "InceptionDsl.Tests", "Security", "corpus");

    public static IEnumerable<object[]> Corpus() =>
        Directory.EnumerateFiles(CorpusDir, "*.inception.yaml").Select(Path.GetFileName)
            .Where(f => Prefixes.Any(p => f!.StartsWith(p, StringComparison.Ordinal))).Order(StringComparer.Ordinal).Select(f => new object[] { f! });

    public static Expectation Load(string file)
    {
        var path = Path.Combine(CorpusDir, file);
        var text = File.ReadAllText(path);
        var match = Header().Match(text);
        Assert.True(match.Success, $"{file}: the first line must be '# expect: IDSLnnn line N' or '# expect: accepted'");
        return new Expectation(path, text, match.Groups[3].Success ? null : match.Groups[1].Value,
            match.Groups[2].Success ? int.Parse(match.Groups[2].Value) : 0, match.Groups[4].Success ? match.Groups[4].Value : null);
    }

    [Fact]
    public void TheCorpusHoldsAtLeastSixtySpecsOfEachKind()
    {
        var files = Corpus().Select(row => (string)row[0]).ToList();
        Assert.True(files.Count >= 60, $"only {files.Count} specs");
        Assert.All(Prefixes, prefix => Assert.True(files.Count(f => f.StartsWith(prefix, StringComparison.Ordinal)) >= 8, prefix));
        Assert.Contains(files, f => Load(f).Id is null);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void SpecCompilerGivesTheExpectedOutcomeInOneLineMessages(string file)
    {
        var expected = Load(file);
        var result = SpecCompiler.Compile(expected.Path, expected.Text);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == Descriptors.InternalError.Id);
        Assert.All(result.Diagnostics, d => Assert.DoesNotMatch("[\0-\u001f\u0085\u2028\u2029\u202a-\u202e\u200b]", d.Message));
        Assert.All(result.Diagnostics, d => Assert.True(d.Message.Length <= MessageText.MaxMessageChars + 40, d.Message.Length.ToString()));
        if (expected.Id is null)
        {
            Assert.False(result.HasErrors, file + ":\n" + string.Join("\n", result.Diagnostics));
            Assert.NotEmpty(result.Models);
            return;
        }

        Assert.Empty(result.Models);
        var found = result.Diagnostics.FirstOrDefault(d => d.Id == expected.Id && d.Span.Line == expected.Line && d.Severity == SpecSeverity.Error);
        Assert.True(found is not null, $"{file}: expected {expected.Id} at line {expected.Line}, found:\n" + string.Join("\n", result.Diagnostics));
        if (expected.Message is not null)
            Assert.Contains(expected.Message, found!.Message);
    }

    /// <summary>
    /// Once the whole-corpus runner (SecurityCorpusTests, the other half of issue 13) is in the same build, it
    /// runs these files through the generator and check too; the two theories below then leave it to it.
    /// </summary>
    private static readonly bool RunByTheWholeCorpus = typeof(LimitsCorpusTests).Assembly.GetType("InceptionDsl.Tests.Security.SecurityCorpusTests") is not null;

    [Theory]
    [MemberData(nameof(Corpus))]
    public void GeneratorReportsTheOutcomeAndNeverThrows(string file)
    {
        if (RunByTheWholeCorpus)
            return; // SecurityCorpusTests runs this file through the generator
        var expected = Load(file);
        var (run, output) = GeneratorHarness.Run((expected.Path, expected.Text));
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "AD0001" or "IDSL099");
        if (expected.Id is null)
            Assert.DoesNotContain(run.Diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        else
            Assert.Contains(run.Diagnostics, d => d.Id == expected.Id && d.Location.GetLineSpan().Path == expected.Path
                && d.Location.GetLineSpan().StartLinePosition.Line + 1 == expected.Line);
        var problems = GeneratorHarness.CompileProblems(output);
        Assert.True(problems.Count == 0, file + ":\n" + string.Join("\n", problems.Take(10)));
    }

    [Fact]
    public void CheckCommandPrintsEachOutcome()
    {
        if (RunByTheWholeCorpus)
            return; // SecurityCorpusTests runs every corpus file through check
        var all = Corpus().Select(row => Load((string)row[0])).ToList();
        var (exit, stdout) = DiagnosticCorpusTests.RunCheck(all.Select(e => e.Path).ToArray());
        Assert.Equal(1, exit);
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        foreach (var expected in all)
        {
            var prefix = expected.Path + "(";
            if (expected.Id is null)
                Assert.DoesNotContain(lines, l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains("): error ", StringComparison.Ordinal));
            else
                Assert.True(lines.Any(l => l.StartsWith($"{expected.Path}({expected.Line},", StringComparison.Ordinal) && l.Contains($"): error {expected.Id}: ", StringComparison.Ordinal)),
                    $"check did not print {expected.Path}({expected.Line},col): error {expected.Id}");
        }
    }
}
