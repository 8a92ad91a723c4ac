using InceptionDsl.Analysis;
using InceptionDsl.Cli.Explain;

namespace InceptionDsl.Tests.Explain;

/// <summary>Every model of specs/, compiled once for the explain tests.</summary>
public static class ExplainModels
{
    private static readonly Lazy<IReadOnlyList<ResolvedModel>> LazyAll = new(() =>
    {
        Environment.SetEnvironmentVariable("INCEPTIONDSL_SPECS_DIR", SpecsDir);
        return ModelResolver.All().ToList();
    });

    public static string SpecsDir => Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "specs");

    public static IReadOnlyList<ResolvedModel> All => LazyAll.Value;

    public static ResolvedModel Get(string name) => All.Single(m => m.Model.ClassName == name);

    public static ModelGraph Graph(string name) => ModelGraph.Build(Get(name).Model);

    public static IEnumerable<object[]> Names => All.Select(m => new object[] { m.Model.ClassName });

    /// <summary>Every line fits a 100-column terminal.</summary>
    public static void AssertFits(string text)
    {
        foreach (var line in text.Split('\n'))
            Xunit.Assert.True(line.TrimEnd('\r').Length <= LayerSummary.Width, $"{line.Length} columns: {line}");
    }
}
