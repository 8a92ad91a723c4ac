using InceptionDsl.Diagnostics;
using Xunit;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>
/// The generator's release tracking (src/InceptionDsl.Generator/AnalyzerReleases.Shipped.md and .Unshipped.md, in
/// Roslyn's format) lists exactly the diagnostics of <see cref="Descriptors.All"/>, each once, with the category,
/// severity and title the build reports. Roslyn's own release-tracking analyzer (RS2000-RS2008) cannot check them:
/// it reads descriptors whose IDs are constants in the analyzer's source, and the generator builds its descriptors
/// from Descriptors.All at run time (given the files, it reports every shipped rule as removed, RS2003).
/// </summary>
public sealed class AnalyzerReleasesTests
{
    private static string GeneratorDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "src", "InceptionDsl.Generator");

    private sealed record Rule(string Id, string Category, string Severity, string Notes, string File);

    /// <summary>The rows of the "New Rules" tables of a release file.</summary>
    private static IEnumerable<Rule> Rules(string file)
    {
        foreach (var line in File.ReadAllLines(Path.Combine(GeneratorDir, file)))
        {
            var cells = line.Split('|').Select(c => c.Trim()).ToArray();
            if (cells.Length == 4 && cells[0].StartsWith("IDSL", StringComparison.Ordinal))
                yield return new Rule(cells[0], cells[1], cells[2], cells[3], file);
        }
    }

    [Fact]
    public void TheReleaseFilesListEveryDiagnosticOnceAsTheBuildReportsIt()
    {
        var rules = Rules("AnalyzerReleases.Shipped.md").Concat(Rules("AnalyzerReleases.Unshipped.md")).ToList();
        Assert.NotEmpty(Rules("AnalyzerReleases.Shipped.md"));
        Assert.Equal(Descriptors.All.Select(d => d.Id).Distinct().Order(StringComparer.Ordinal), rules.Select(r => r.Id).Order(StringComparer.Ordinal));
        foreach (var rule in rules)
        {
            var roslyn = DescriptorCatalogTests.ToRoslyn(Descriptors.All.First(d => d.Id == rule.Id)).Descriptor;
            Assert.Equal(roslyn.Category, rule.Category);
            Assert.Equal(roslyn.DefaultSeverity.ToString(), rule.Severity);
            Assert.Equal(roslyn.Title.ToString(), rule.Notes);
        }
    }
}
