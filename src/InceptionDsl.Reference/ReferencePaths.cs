using System;
using System.IO;

namespace InceptionDsl.Reference;

/// <summary>
/// Locates the shared reference fixtures. The repository root is the nearest folder, walking up
/// from <see cref="AppContext.BaseDirectory"/>, that holds <c>InceptionDsl.sln</c> (or
/// <c>InceptionDsl.slnx</c>); the fixtures live beside the checkout in <c>../shared/reference</c>.
/// The environment variable <c>INCEPTIONDSL_REFERENCE_DIR</c> overrides the fixture folder.
/// </summary>
public static class ReferencePaths
{
    /// <summary>Environment variable that, when set, names the reference folder directly.</summary>
    public const string OverrideVariable = "INCEPTIONDSL_REFERENCE_DIR";

    private static readonly Lazy<string> LazyRepoRoot = new(() => FindRepoRoot(AppContext.BaseDirectory));

    /// <summary>The repository root (the folder holding InceptionDsl.sln).</summary>
    public static string RepoRoot => LazyRepoRoot.Value;

    /// <summary>The reference fixture folder: <c>RepoRoot/../shared/reference</c> unless overridden.</summary>
    public static string ReferenceDir
    {
        get
        {
            string? overridden = Environment.GetEnvironmentVariable(OverrideVariable);
            if (!string.IsNullOrWhiteSpace(overridden)) return Path.GetFullPath(overridden);
            return Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "reference"));
        }
    }

    /// <summary><c>ReferenceDir/models</c>.</summary>
    public static string ModelsDir => Path.Combine(ReferenceDir, "models");

    /// <summary><c>ReferenceDir/checkpoints</c>.</summary>
    public static string CheckpointsDir => Path.Combine(ReferenceDir, "checkpoints");

    /// <summary>The path of <c>models/&lt;id&gt;.json</c>.</summary>
    public static string ModelFile(string id) => Path.Combine(ModelsDir, id + ".json");

    /// <summary>The path of a file in <c>checkpoints/</c>.</summary>
    public static string CheckpointFile(string fileName) => Path.Combine(CheckpointsDir, fileName);

    /// <summary>Walks up from <paramref name="startDirectory"/> to the folder holding InceptionDsl.sln or .slnx.</summary>
    /// <exception cref="DirectoryNotFoundException">No such folder above the start.</exception>
    public static string FindRepoRoot(string startDirectory)
    {
        var dir = new DirectoryInfo(Path.GetFullPath(startDirectory));
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "InceptionDsl.sln"))
                || File.Exists(Path.Combine(dir.FullName, "InceptionDsl.slnx")))
            {
                return dir.FullName;
            }
            dir = dir.Parent;
        }
        throw new DirectoryNotFoundException(
            $"No folder holding InceptionDsl.sln above '{startDirectory}'.");
    }
}
