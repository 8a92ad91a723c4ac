using System.Text;
using InceptionDsl.Tests.Support;
using Microsoft.CodeAnalysis;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace InceptionDsl.Tests.Generator;

/// <summary>
/// Snapshot tests of the generator's output, stored as <c>__snapshots__/SnapshotTests.*.snap</c>
/// beside this file (Snapshooter). Every spec in specs/ (listed at run time) has one snapshot of
/// the C# it generates; a set of wrong specs has snapshots of their diagnostics.
/// A missing snapshot is written on a local run and fails when SNAPSHOOTER_STRICT_MODE=on (CI).
/// A changed output fails with a line diff; Snapshooter also writes the new text to
/// <c>__snapshots__/__mismatch__/</c>. To accept it, copy that file over the stored one (or delete
/// the stored one and run the tests once without strict mode). See the README.
/// </summary>
public sealed class SnapshotTests
{
    private static readonly Lazy<GeneratorDriverRunResult> Zoo = new(() => GeneratorHarness.Run(GeneratorHarness.ZooSpecs()).Run);

    public static TheoryData<string> SpecNames()
    {
        var data = new TheoryData<string>();
        foreach (var (path, _) in GeneratorHarness.ZooSpecs())
            data.Add(SpecName(path));
        return data;
    }

    [Theory]
    [MemberData(nameof(SpecNames))]
    public void GeneratedCode(string spec)
    {
        var run = Zoo.Value;
        var path = Path.Combine(GeneratorHarness.SpecsDir, spec + ".inception.yaml");
        var text = File.ReadAllText(path);
        // The files this spec owns: one per model it declares.
        var result = SpecCompiler.Compile(path, text);
        Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
        var hints = result.Models.Select(m => InceptionDsl.Emit.ModelEmitter.HintName(m)).ToHashSet(StringComparer.Ordinal);
        var files = run.Results.Single().GeneratedSources
            .Where(s => hints.Contains(s.HintName))
            .OrderBy(s => s.HintName, StringComparer.Ordinal)
            .ToList();
        Assert.Equal(hints.Count, files.Count);
        var snapshot = new StringBuilder();
        foreach (var file in files)
            snapshot.Append("// ===== ").Append(file.HintName).Append(" =====\n").Append(Normalize(file.SourceText.ToString())).Append('\n');
        MatchSnapshot(snapshot.ToString(), spec);
    }

    [Fact]
    public void SharedSupportCode()
    {
        var source = Zoo.Value.Results.Single().GeneratedSources.Single(s => s.HintName == InceptionDsl.Emit.SupportEmitter.HintName);
        MatchSnapshot(Normalize(source.SourceText.ToString()), "support");
    }

    /// <summary>Wrong specs, each with its own mistake; their diagnostics are snapshotted.</summary>
    public static readonly IReadOnlyDictionary<string, string> WrongSpecs = new Dictionary<string, string>
    {
        ["yaml_syntax"] = "model: Broken\ninput: { channels: 3, size: 32\nbody: [relu]\n",
        ["missing_body"] = "model: NoBody\ninput: { channels: 3, size: 32 }\nclasses: 10\n",
        ["unknown_op"] = Tiny("- { name: stem, convolution: { filters: 16, k: 3 } }"),
        ["unknown_option"] = Tiny("- { name: stem, conv: { filter: 16, k: 3 } }"),
        ["negative_filters"] = Tiny("- { name: stem, conv: { filters: -16, k: 3 } }"),
        ["unknown_block"] = Tiny("- { name: stem, use: Stem, args: { c: 16 } }"),
        ["unknown_param"] = Tiny("- { name: stem, conv: { filters: $width, k: 3 } }"),
        ["bad_expression"] = Tiny("- { name: stem, conv: { filters: 16 +* 2, k: 3 } }"),
        ["kernel_too_large"] = Tiny("- { name: stem, conv: { filters: 16, k: 64 } }"),
        ["duplicate_field"] = Tiny("- { name: stem, conv: { filters: 16, k: 3 } }\n  - { name: stem, conv: { filters: 16, k: 3 } }"),
        ["bad_padding"] = Tiny("- { name: stem, conv: { filters: 16, k: 3, pad: sideways } }"),
        ["seq_not_a_list"] = Tiny("- { name: stem, seq: 5 }"),
        ["concat_spatial_mismatch"] = Tiny("""
            - concat:
                  - { name: a, conv: { filters: 8, k: 1 } }
                  - { name: b, conv: { filters: 8, k: 3, stride: 2 } }
            """),
        ["repeat_too_large"] = Tiny("- { name: stem, conv: { filters: 16, k: 3, pad: 1 }, repeat: 100000 }"),
        ["block_wrong_args"] = """
            model: WrongArgs
            input: { channels: 3, size: 32 }
            classes: 10
            blocks:
              Unit:
                params: [a]
                body: [ { name: c, conv: { filters: $a, k: 1 } } ]
            body:
              - { name: u, use: Unit, args: { b: 4 } }
              - global_avgpool
              - { name: fc, linear: $classes }
            """,
    };

    public static TheoryData<string> WrongSpecNames() => new(WrongSpecs.Keys.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(WrongSpecNames))]
    public void Diagnostics(string name)
    {
        var (run, _) = GeneratorHarness.Run((name + ".inception.yaml", WrongSpecs[name]));
        Assert.NotEmpty(run.Diagnostics);
        var text = new StringBuilder();
        foreach (var diagnostic in run.Diagnostics.OrderBy(d => d.Location.GetLineSpan().StartLinePosition).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            var span = diagnostic.Location.GetLineSpan();
            text.Append($"{span.Path}({span.StartLinePosition.Line + 1},{span.StartLinePosition.Character + 1}): ")
                .Append(diagnostic.Severity.ToString().ToLowerInvariant()).Append(' ').Append(diagnostic.Id).Append(": ")
                .Append(diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        text.Append("generated: ").Append(string.Join(", ", run.Results.Single().GeneratedSources.Select(s => s.HintName).Order(StringComparer.Ordinal))).Append('\n');
        MatchSnapshot(text.ToString(), name);
    }

    private static string Tiny(string body) => $"""
        model: TinyNet
        input: {"{"} channels: 3, size: 32 {"}"}
        classes: 10
        body:
          {body}
          - global_avgpool
          - {"{"} name: fc, linear: $classes {"}"}
        """;

    private static string SpecName(string path) => Path.GetFileName(path).Replace(".inception.yaml", "", StringComparison.Ordinal);

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>
    /// Snapshooter's match, with a line diff in the failure message so a changed snapshot reads
    /// as what changed rather than as two long strings.
    /// </summary>
    private static void MatchSnapshot(string text, string name)
    {
        var fullName = Snapshot.FullName(SnapshotNameExtension.Create(name));
        var stored = Path.Combine(fullName.FolderPath, "__snapshots__", fullName.Filename);
        string? before = File.Exists(stored) ? File.ReadAllText(stored) : null;
        try
        {
            Snapshot.Match(text, fullName);
        }
        catch (Exception exception) when (before is not null)
        {
            throw new Xunit.Sdk.XunitException(
                $"Snapshot {fullName.Filename} changed. New text: __snapshots__/__mismatch__/{fullName.Filename}. " +
                "Accept it: see README (Snapshot tests).\n" + LineDiff.Unified(before, text) + "\n" + exception.Message[..Math.Min(400, exception.Message.Length)]);
        }
    }
}

/// <summary>A small line diff (longest common subsequence) for snapshot failures.</summary>
public static class LineDiff
{
    public static string Unified(string before, string after, int context = 2, int maxLines = 200)
    {
        var a = before.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var b = after.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        // Trim the common head and tail so the table stays small on big files.
        int head = 0;
        while (head < a.Length && head < b.Length && a[head] == b[head])
            head++;
        int tail = 0;
        while (tail < a.Length - head && tail < b.Length - head && a[a.Length - 1 - tail] == b[b.Length - 1 - tail])
            tail++;
        var x = a[head..(a.Length - tail)];
        var y = b[head..(b.Length - tail)];
        if (x.Length * (long)y.Length > 25_000_000)
            return $"@@ line {head + 1}: {x.Length} lines replaced by {y.Length} lines";
        var lcs = new int[x.Length + 1, y.Length + 1];
        for (int i = x.Length - 1; i >= 0; i--)
            for (int j = y.Length - 1; j >= 0; j--)
                lcs[i, j] = x[i] == y[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var lines = new List<string>();
        for (int k = Math.Max(0, head - context); k < head; k++)
            lines.Add("  " + a[k]);
        int p = 0, q = 0;
        while (p < x.Length || q < y.Length)
        {
            if (p < x.Length && q < y.Length && x[p] == y[q]) { lines.Add("  " + x[p]); p++; q++; }
            else if (p < x.Length && (q == y.Length || lcs[p + 1, q] >= lcs[p, q + 1])) { lines.Add("- " + x[p]); p++; }
            else { lines.Add("+ " + y[q]); q++; }
        }

        for (int k = a.Length - tail; k < Math.Min(a.Length, a.Length - tail + context); k++)
            lines.Add("  " + a[k]);
        var shown = lines.Take(maxLines).ToList();
        if (lines.Count > maxLines)
            shown.Add($"... {lines.Count - maxLines} more diff lines");
        return $"@@ from line {Math.Max(1, head + 1 - context)} @@\n" + string.Join("\n", shown);
    }
}
