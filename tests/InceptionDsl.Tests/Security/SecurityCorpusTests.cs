using System.Text.RegularExpressions;
using InceptionDsl.Diagnostics;
using InceptionDsl.Tests.Diagnostics;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The hostile corpus (Security/corpus/*.inception.yaml, format in docs/security.md): each file's first
/// line is its expected outcome, <c># expect: IDSLnnn line N</c> or <c># expect: accepted</c>. Every file
/// goes through the core pipeline, the real generator driver (which must never throw: no CS8785, no
/// AD0001, no IDSL099) and <c>inceptiondsl check</c>; an accepted spec's generated code must compile with
/// no error and no warning.
/// </summary>
public sealed partial class SecurityCorpusTests
{
    public static string CorpusDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "tests", "InceptionDsl.Tests", "Security", "corpus");

    [GeneratedRegex(@"^# expect: (?:(IDSL\d{3}) line (\d+)|(accepted))\s*$", RegexOptions.Multiline)]
    private static partial Regex ExpectLine();

    /// <summary>A corpus file and what it must produce: an error id at a line, or acceptance (Id null).</summary>
    public sealed record Expectation(string Path, string Text, string? Id, int Line)
    {
        public bool Accepted => Id is null;
    }

    public static IEnumerable<object[]> Corpus() =>
        Directory.EnumerateFiles(CorpusDir, "*.inception.yaml").Order(StringComparer.Ordinal).Select(p => new object[] { Path.GetFileName(p) });

    public static Expectation Load(string file)
    {
        var path = Path.Combine(CorpusDir, file);
        var text = File.ReadAllText(path);
        var firstLine = text.Split('\n')[0].TrimEnd('\r');
        var match = ExpectLine().Match(firstLine);
        Assert.True(match.Success, $"{file}: the first line must be '# expect: IDSLnnn line N' or '# expect: accepted'");
        return match.Groups[3].Success
            ? new Expectation(path, text, null, 0)
            : new Expectation(path, text, match.Groups[1].Value, int.Parse(match.Groups[2].Value));
    }

    [Fact]
    public void CorpusHoldsAtLeastNinetySpecsWithBothOutcomes()
    {
        var all = Corpus().Select(row => Load((string)row[0])).ToList();
        Assert.True(all.Count >= 90, $"only {all.Count} corpus specs");
        Assert.Contains(all, e => e.Accepted);
        Assert.Contains(all, e => !e.Accepted);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void SpecCompilerGivesTheExpectedOutcome(string file)
    {
        var expected = Load(file);
        var result = SpecCompiler.Compile(expected.Path, expected.Text);
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == Descriptors.InternalError.Id);
        Assert.All(result.Diagnostics, d => Assert.True(d.Span.Line >= 1 && d.Span.Column >= 1, d.ToString()));
        // Every message is one line, whatever the spec's names contain.
        Assert.All(result.Diagnostics, d => Assert.DoesNotMatch("[\r\n\u0085\u2028\u2029]", d.Message));
        if (expected.Accepted)
        {
            Assert.False(result.HasErrors, file + ":\n" + string.Join("\n", result.Diagnostics));
            Assert.NotEmpty(result.Models);
            return;
        }

        Assert.Empty(result.Models);
        Assert.True(result.Diagnostics.Any(d => d.Id == expected.Id && d.Span.Line == expected.Line && d.Severity == SpecSeverity.Error),
            $"{file}: expected {expected.Id} at line {expected.Line}, found:\n" + string.Join("\n", result.Diagnostics));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void GeneratorNeverThrowsAndAcceptedSpecsCompileCleanly(string file)
    {
        var expected = Load(file);
        var (run, output) = GeneratorHarness.Run((expected.Path, expected.Text));
        Assert.All(run.Results, r => Assert.Null(r.Exception));
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "CS8785" or "AD0001" or "IDSL099");
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Id is "CS8785" or "AD0001");
        if (expected.Accepted)
            Assert.DoesNotContain(run.Diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
        else
            Assert.True(run.Diagnostics.Any(d => d.Id == expected.Id && d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error
                    && d.Location.GetLineSpan().Path == expected.Path && d.Location.GetLineSpan().StartLinePosition.Line + 1 == expected.Line),
                $"{file}: expected {expected.Id} at line {expected.Line}, found:\n" + string.Join("\n", run.Diagnostics));
        var problems = GeneratorHarness.CompileProblems(output);
        Assert.True(problems.Count == 0, file + ":\n" + string.Join("\n", problems.Take(10)));
    }

    [Fact]
    public void CheckCommandReportsEachExpectedOutcome()
    {
        var all = Corpus().Select(row => Load((string)row[0])).ToList();
        var (exit, stdout) = DiagnosticCorpusTests.RunCheck(all.Select(f => f.Path).ToArray());
        Assert.Equal(all.Any(e => !e.Accepted) ? 1 : 0, exit);
        var lines = stdout.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        foreach (var expected in all)
        {
            if (expected.Accepted)
            {
                Assert.False(lines.Any(l => l.StartsWith(expected.Path + "(", StringComparison.Ordinal) && l.Contains("): error ", StringComparison.Ordinal)),
                    $"check reported an error for the accepted {Path.GetFileName(expected.Path)}");
                continue;
            }

            var prefix = $"{expected.Path}({expected.Line},";
            Assert.True(lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal) && l.Contains($"): error {expected.Id}: ", StringComparison.Ordinal)),
                $"check did not print {prefix}col): error {expected.Id} for {Path.GetFileName(expected.Path)}");
        }
    }
}
