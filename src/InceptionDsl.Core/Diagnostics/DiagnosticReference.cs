using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace InceptionDsl.Diagnostics;

/// <summary>
/// Writes docs/diagnostics.md: one section per diagnostic ID, its title, severity and message format taken from
/// <see cref="Descriptors.All"/> and its cause, fix and example from <see cref="DiagnosticExplanations"/>. The heading
/// of each section is the bare ID, so its anchor is the one <see cref="DiagnosticHelp.Link"/> points at. A test compares
/// the committed file with this text.
/// </summary>
public static class DiagnosticReference
{
    public static string Markdown()
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');

        Line("# Diagnostics");
        Line();
        Line("<!-- Generated from src/InceptionDsl.Core/Diagnostics/DiagnosticDescriptors.cs and DiagnosticExplanations.cs by DiagnosticReference;");
        Line("     do not edit by hand: INCEPTIONDSL_UPDATE_SAMPLES=1 dotnet test tests/InceptionDsl.Tests --filter DiagnosticReference -->");
        Line();
        Line("Every diagnostic of the spec pipeline, as the build (`error IDSLnnn` at the spec's line), `inceptiondsl check` and");
        Line("the language server report it. IDs are stable: they are never renumbered, only added. Each diagnostic's help link");
        Line("(the build's and the language server's) points at its section here. [The spec language](language.md#build-time-diagnostics)");
        Line("says how diagnostics are reported.");
        Line();
        Line("| ID | title | severity |");
        Line("| --- | --- | --- |");
        foreach (var group in Groups())
            Line($"| [{group.Key}](#{DiagnosticHelp.Anchor(group.Key)}) | {group.First().Title} | {SeverityWord(group.First().Severity)} |");
        Line();

        foreach (var group in Groups())
        {
            var first = group.First();
            var explanation = DiagnosticExplanations.ById.TryGetValue(group.Key, out var known) ? known
                : throw new KeyNotFoundException($"{group.Key} has no entry in DiagnosticExplanations");
            Line($"## {group.Key}");
            Line();
            Line($"**{first.Title}** ({SeverityWord(first.Severity)})");
            Line();
            var formats = group.Select(d => "`" + Shown(d.MessageFormat) + "`").ToList();
            if (formats.Count == 1)
                Line("Message: " + formats[0]);
            else
            {
                Line("Messages:");
                Line();
                foreach (var format in formats)
                    Line("- " + format);
            }

            Line();
            Line("**Cause.** " + explanation.Cause);
            Line();
            Line("**Fix.** " + explanation.Fix);
            Line();
            if (explanation.Example is { } example)
            {
                Line("```yaml");
                Line(example);
                Line("```");
                Line();
            }
        }

        return md.ToString();
    }

    /// <summary>The descriptors by ID, in declaration order: IDSL006 has two (a duplicate name, a repeated node's name).</summary>
    private static IEnumerable<IGrouping<string, SpecDiagnosticDescriptor>> Groups() => Descriptors.All.GroupBy(d => d.Id);

    private static string SeverityWord(SpecSeverity severity) => severity.ToString().ToLowerInvariant();

    /// <summary>The message format as a reader sees it: each argument as an ellipsis, escaped braces as braces.</summary>
    private static string Shown(string format) =>
        Regex.Replace(format, @"\{\{|\}\}|\{\d+\}", m => m.Value switch { "{{" => "{", "}}" => "}", _ => "…" });
}
