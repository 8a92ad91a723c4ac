using System.IO;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests;

/// <summary>
/// Tests that read the reference fixtures (<c>../shared/reference</c> beside the checkout, or the folder
/// named by <c>INCEPTIONDSL_REFERENCE_DIR</c>) are skipped with one line saying what is missing and
/// which variable points elsewhere, instead of failing with a DirectoryNotFoundException; every other
/// test still runs. Linked into each test project from tests/Shared.
/// </summary>
public static class ReferenceFixtures
{
    /// <summary>Null when <paramref name="part"/> (a folder or file under the reference folder) exists;
    /// otherwise the skip reason.</summary>
    public static string? Missing(string part)
    {
        var path = Path.Combine(ReferencePaths.ReferenceDir, part);
        return Directory.Exists(path) || File.Exists(path)
            ? null
            : $"reference fixtures missing: {path} does not exist (set {ReferencePaths.OverrideVariable} to the reference folder)";
    }
}

/// <summary>A fact that needs a part of the reference fixtures (default <c>models</c>); skipped, with the reason, without it.</summary>
public sealed class ReferenceFactAttribute : FactAttribute
{
    public ReferenceFactAttribute(string needs = "models") => Skip = ReferenceFixtures.Missing(needs);
}

/// <summary>A theory that needs a part of the reference fixtures (default <c>models</c>); skipped, with the reason, without it.</summary>
public sealed class ReferenceTheoryAttribute : TheoryAttribute
{
    public ReferenceTheoryAttribute(string needs = "models") => Skip = ReferenceFixtures.Missing(needs);
}
