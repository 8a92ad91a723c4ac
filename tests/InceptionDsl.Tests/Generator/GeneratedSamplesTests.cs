using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Generator;

/// <summary>
/// generated-samples/ holds the C# the generator makes from every spec. It must equal what the
/// generator produces now; set INCEPTIONDSL_UPDATE_SAMPLES=1 to rewrite it after a change.
/// </summary>
public sealed class GeneratedSamplesTests
{
    private static string SamplesDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "generated-samples");

    [Fact]
    public void GeneratedSamplesAreUpToDate()
    {
        var (run, _) = GeneratorHarness.Run(GeneratorHarness.ZooSpecs());
        var generated = run.GeneratedTrees.ToDictionary(t => Path.GetFileName(t.FilePath), t => Normalize(t.GetText().ToString()));
        Assert.Empty(run.Diagnostics);

        if (Environment.GetEnvironmentVariable("INCEPTIONDSL_UPDATE_SAMPLES") == "1")
        {
            Directory.CreateDirectory(SamplesDir);
            foreach (var stale in Directory.EnumerateFiles(SamplesDir, "*.g.cs"))
                File.Delete(stale);
            foreach (var (name, text) in generated)
                File.WriteAllText(Path.Combine(SamplesDir, name), text);
        }

        var committed = Directory.EnumerateFiles(SamplesDir, "*.g.cs").ToDictionary(p => Path.GetFileName(p), p => Normalize(File.ReadAllText(p)));
        Assert.Equal(generated.Keys.Order(), committed.Keys.Order());
        foreach (var (name, text) in generated)
            Assert.True(text == committed[name], $"generated-samples/{name} is out of date: run INCEPTIONDSL_UPDATE_SAMPLES=1 dotnet test --filter GeneratedSamples");
    }

    /// <summary>The samples equal what the build itself compiled into InceptionDsl.Models.</summary>
    [Fact]
    public void BuildOutputEqualsGeneratedSamples()
    {
        var buildDir = Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "src", "InceptionDsl.Models", "obj");
        var built = Directory.Exists(buildDir)
            ? Directory.EnumerateFiles(buildDir, "*.g.cs", SearchOption.AllDirectories).Where(p => p.Contains("InceptionGenerator")).ToList()
            : new List<string>();
        Assert.NotEmpty(built);
        foreach (var file in built.GroupBy(Path.GetFileName).Select(g => g.OrderByDescending(File.GetLastWriteTimeUtc).First()))
        {
            var sample = Path.Combine(SamplesDir, Path.GetFileName(file));
            Assert.True(File.Exists(sample), $"{Path.GetFileName(file)} is built but not in generated-samples/");
            Assert.Equal(Normalize(File.ReadAllText(sample)), Normalize(File.ReadAllText(file)));
        }
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n").TrimStart('\uFEFF');
}
