using System.Text.RegularExpressions;
using InceptionDsl.Diagnostics;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// The bounded-work, aux-head and diagnostic-text part of the hostile corpus (Security/corpus/limit_*,
/// aux_*, msg_*): each file's first line is its outcome (<c># expect: IDSLnnn line N</c> or
/// <c># expect: accepted</c>), and a <c># message: text</c> line, where present, is text the expected
/// diagnostic's message must contain. SecurityCorpusTests runs every corpus file through the generator
/// and <c>inceptiondsl check</c>; this class checks what is particular to these: the message texts,
/// bounded and one-line messages, and the coverage of each kind.
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
}
