using System.Reflection;

namespace InceptionDsl.LanguageServer.Tests;

/// <summary>Paths the build wrote into this assembly: the repository and the built CLI.</summary>
public static class Repo
{
    private static string Metadata(string key) =>
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    public static string Root => Metadata("RepoRoot");

    public static string CliDll => Metadata("CliDll");

    public static string SpecsDir => Path.Combine(Root, "specs");

    public static IReadOnlyList<string> Specs =>
        Directory.EnumerateFiles(SpecsDir, "*.inception.yaml").Order(StringComparer.Ordinal).ToList();

    public static string Spec(string name) => Path.Combine(SpecsDir, name + ".inception.yaml");

    /// <summary>A spec kept for these tests (Fixtures/): the zoo's specs change, these tests' positions must not.</summary>
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".inception.yaml");

    public static string Uri(string path) => new Uri(path).AbsoluteUri;
}
