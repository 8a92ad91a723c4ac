using System.Text.RegularExpressions;
using InceptionDsl.Diagnostics;
using Xunit;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>
/// docs/diagnostics.md is written from <see cref="Descriptors.All"/> and <see cref="DiagnosticExplanations"/> (set
/// INCEPTIONDSL_UPDATE_SAMPLES=1 to rewrite it), explains every diagnostic, and holds the anchor of every help link.
/// </summary>
public sealed partial class DiagnosticReferenceTests
{
    private static string DocPath => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "docs", "diagnostics.md");

    [Fact]
    public void CommittedDiagnosticReferenceIsWhatTheDescriptorsWrite()
    {
        var expected = DiagnosticReference.Markdown();
        if (Environment.GetEnvironmentVariable("INCEPTIONDSL_UPDATE_SAMPLES") == "1")
            File.WriteAllText(DocPath, expected);
        Assert.Equal(expected, File.ReadAllText(DocPath).Replace("\r\n", "\n"));
    }

    [Fact]
    public void EveryDiagnosticIsExplainedAndEveryExplanationIsOfADiagnostic()
    {
        var ids = Descriptors.All.Select(d => d.Id).Distinct().ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), DiagnosticExplanations.ById.Keys.Order(StringComparer.Ordinal));
        Assert.All(DiagnosticExplanations.ById.Values, e =>
        {
            Assert.False(string.IsNullOrWhiteSpace(e.Cause));
            Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        });
    }

    [GeneratedRegex(@"^#{1,6} (.+)$", RegexOptions.Multiline)]
    private static partial Regex Heading();

    /// <summary>GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens.</summary>
    private static string Slug(string heading) =>
        new string(heading.Trim().ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '_').ToArray()).Replace(' ', '-');

    [Fact]
    public void EveryHelpLinkPointsAtASectionOfTheCommittedPage()
    {
        var anchors = Heading().Matches(File.ReadAllText(DocPath)).Select(m => Slug(m.Groups[1].Value)).ToHashSet();
        foreach (var descriptor in Descriptors.All)
        {
            var link = descriptor.HelpLink;
            Assert.StartsWith(DiagnosticHelp.PageUrl + "#", link, StringComparison.Ordinal);
            var anchor = link[(DiagnosticHelp.PageUrl.Length + 1)..];
            Assert.True(anchors.Contains(anchor), $"{descriptor.Id}: no heading of docs/diagnostics.md has the anchor '{anchor}'");
        }

        // The page the links name is this file of the repository.
        Assert.EndsWith("/docs/diagnostics.md", DiagnosticHelp.PageUrl, StringComparison.Ordinal);
    }

    [Fact]
    public void EachSectionGivesTheTitleSeverityAndEveryMessageFormatOfItsId()
    {
        var text = DiagnosticReference.Markdown();
        foreach (var group in Descriptors.All.GroupBy(d => d.Id))
        {
            int start = text.IndexOf($"\n## {group.Key}\n", StringComparison.Ordinal);
            Assert.True(start >= 0, group.Key);
            int end = text.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
            var section = end < 0 ? text[start..] : text[start..end];
            Assert.Contains($"**{group.First().Title}** ({group.First().Severity.ToString().ToLowerInvariant()})", section);
            // Each format's literal text (between its arguments) is in the section.
            foreach (var descriptor in group)
                foreach (var piece in Regex.Split(descriptor.MessageFormat.Replace("{{", "{").Replace("}}", "}"), @"\{\d+\}").Where(p => p.Length > 0))
                    Assert.Contains(piece, section);
        }
    }
}
