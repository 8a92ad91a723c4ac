namespace InceptionDsl.Diagnostics;

/// <summary>
/// Where each diagnostic is explained: a section of docs/diagnostics.md, whose anchor is the lowercased ID. The
/// generator gives it to Roslyn as the help link, the language server as the diagnostic's code description.
/// </summary>
public static class DiagnosticHelp
{
    /// <summary>The project's repository, on the branch readers land on.</summary>
    public const string RepositoryUrl = "https://github.com/inceptiondsl/inceptiondsl";

    /// <summary>The page that explains every diagnostic (docs/diagnostics.md, written by <see cref="DiagnosticReference"/>).</summary>
    public const string PageUrl = RepositoryUrl + "/blob/main/docs/diagnostics.md";

    /// <summary>The anchor of a diagnostic's section: its ID in lower case (GitHub's anchor of the heading <c>## IDSL027</c>).</summary>
    public static string Anchor(string id) => id.ToLowerInvariant();

    /// <summary>The help link of a diagnostic ID.</summary>
    public static string Link(string id) => PageUrl + "#" + Anchor(id);
}
