using System.Text;
using System.Text.RegularExpressions;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Package;

/// <summary>
/// What README.md, CHANGELOG.md, docs/*.md and the package READMEs show exists: every relative link
/// resolves to a file (and its <c>#anchor</c> to a heading there), every <c>inceptiondsl COMMAND</c> is a
/// command the built CLI lists in its help, and every <c>dotnet ... --project PATH</c>, <c>dotnet pack PATH</c>
/// and <c>scripts/NAME</c> names a path of the repository.
/// </summary>
public sealed partial class DocumentationTests
{
    private static readonly string Root = ReferencePaths.RepoRoot;

    [GeneratedRegex(@"!?\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();

    [GeneratedRegex(@"(?m)^```.*?^```", RegexOptions.Singleline)]
    private static partial Regex FencedBlock();

    [GeneratedRegex(@"(?m)^#{1,6}\s+(.+?)\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"\binceptiondsl ([a-z][a-z-]*)")]
    private static partial Regex ToolCommand();

    [GeneratedRegex(@"--project ([\w./-]+)")]
    private static partial Regex ProjectOption();

    [GeneratedRegex(@"\bdotnet (?:pack|build|test) ((?:src|tests)/[\w./-]+)")]
    private static partial Regex DotnetPath();

    [GeneratedRegex(@"\bscripts/[\w.-]+\.sh\b")]
    private static partial Regex Script();

    [GeneratedRegex(@"(?m)^ {4}([a-z][a-z-]*)(?= )")]
    private static partial Regex HelpCommand();

    public static TheoryData<string> Documents()
    {
        var data = new TheoryData<string>();
        foreach (var file in new[] { "README.md", "CHANGELOG.md", "src/InceptionDsl.Generator/PACKAGE.md", "src/InceptionDsl.Cli/PACKAGE.md" })
            data.Add(file);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Root, file).Replace('\\', '/'));
        return data;
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void RelativeLinksResolveToFilesAndHeadings(string document)
    {
        var path = Path.Combine(Root, document);
        var text = FencedBlock().Replace(File.ReadAllText(path), "");
        var broken = new List<string>();
        foreach (Match match in Link().Matches(text))
        {
            var target = match.Groups[1].Value;
            if (target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                continue;
            var hash = target.IndexOf('#');
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var resolved = file.Length == 0 ? path : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, file));
            if (!File.Exists(resolved) && !Directory.Exists(resolved))
                broken.Add($"{target}: no file {Path.GetRelativePath(Root, resolved)}");
            else if (anchor is not null && !Anchors(resolved).Contains(anchor))
                broken.Add($"{target}: no heading '#{anchor}' in {Path.GetRelativePath(Root, resolved)} (has {string.Join(", ", Anchors(resolved))})");
        }

        Assert.True(broken.Count == 0, $"{document}: broken links:\n" + string.Join("\n", broken));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void CommandsAndPathsShownExist(string document)
    {
        var text = File.ReadAllText(Path.Combine(Root, document));
        var commands = CliCommands.Value;
        var wrong = new List<string>();
        foreach (Match match in ToolCommand().Matches(text))
        {
            if (!commands.Contains(match.Groups[1].Value))
                wrong.Add($"'{match.Value}': the CLI has no command '{match.Groups[1].Value}' (it has {string.Join(", ", commands)})");
        }

        foreach (var match in ProjectOption().Matches(text).Concat(DotnetPath().Matches(text)))
        {
            var target = Path.Combine(Root, match.Groups[1].Value);
            if (!File.Exists(target) && !Directory.Exists(target))
                wrong.Add($"'{match.Value}': no {match.Groups[1].Value} in the repository");
        }

        foreach (Match match in Script().Matches(text))
        {
            if (!File.Exists(Path.Combine(Root, match.Value)))
                wrong.Add($"'{match.Value}': no such script");
        }

        Assert.True(wrong.Count == 0, $"{document}:\n" + string.Join("\n", wrong));
    }

    /// <summary>The check of the check: a made-up command, project and anchor are caught.</summary>
    [Fact]
    public void MadeUpCommandsProjectsAndAnchorsAreCaught()
    {
        Assert.DoesNotContain("frobnicate", CliCommands.Value);
        Assert.Contains("check", CliCommands.Value);
        Assert.False(Directory.Exists(Path.Combine(Root, "src/InceptionDsl.Nothing")));
        Assert.Contains("why-the-build-patches-torchsharps-native-library", Anchors(Path.Combine(Root, "docs", "design.md")));
        Assert.DoesNotContain("no-such-heading", Anchors(Path.Combine(Root, "docs", "design.md")));
    }

    /// <summary>The command names of <c>inceptiondsl --help</c>.</summary>
    private static readonly Lazy<HashSet<string>> CliCommands = new(() =>
    {
        var (exit, stdout, stderr) = CliProcess.Run("--help");
        Assert.True(exit == 0, "inceptiondsl --help failed: " + stderr);
        var commands = stdout[(stdout.IndexOf("COMMANDS:", StringComparison.Ordinal) + "COMMANDS:".Length)..];
        return HelpCommand().Matches(commands).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
    });

    /// <summary>GitHub's heading anchors: lower case, punctuation other than '-' and '_' dropped, spaces to '-'.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var text = FencedBlock().Replace(File.ReadAllText(markdown), "");
        foreach (Match heading in Heading().Matches(text))
        {
            var slug = new StringBuilder();
            foreach (var c in heading.Groups[1].Value.ToLowerInvariant())
            {
                if (char.IsLetterOrDigit(c) || c is '-' or '_')
                    slug.Append(c);
                else if (c == ' ')
                    slug.Append('-');
            }

            anchors.Add(slug.ToString());
        }

        return anchors;
    }
}
