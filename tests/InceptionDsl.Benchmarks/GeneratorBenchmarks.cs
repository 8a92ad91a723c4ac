using System.Collections.Immutable;
using System.Text;
using BenchmarkDotNet.Attributes;
using InceptionDsl.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// The source generator driven in memory, as the compiler does at build time. Targets: whole zoo
/// from scratch under 50 ms warm, regeneration after a one-spec edit under 5 ms, a 1,000-block
/// spec under 1 s. [MemoryDiagnoser] reports allocations per operation.
/// </summary>
[MemoryDiagnoser]
public class GeneratorBenchmarks
{
    private Compilation _compilation = null!;
    private ImmutableArray<AdditionalText> _zoo;
    private GeneratorDriver _warm = null!;
    private AdditionalText _editTarget = null!;
    private AdditionalText _edited = null!;
    private ImmutableArray<AdditionalText> _stress;

    [GlobalSetup]
    public void Setup()
    {
        _compilation = CSharpCompilation.Create("Bench", new[] { CSharpSyntaxTree.ParseText("class Existing { }") });
        _zoo = Inputs.ZooSpecs();
        _warm = Inputs.Driver().AddAdditionalTexts(_zoo).RunGenerators(_compilation);
        _editTarget = _zoo.First(t => t.GetText()!.ToString().Contains("eps: 0.001", StringComparison.Ordinal));
        _edited = new MemoryText(_editTarget.Path, _editTarget.GetText()!.ToString().Replace("eps: 0.001", "eps: 0.002", StringComparison.Ordinal));
        _stress = ImmutableArray.Create<AdditionalText>(new MemoryText("/bench/stress.inception.yaml", Inputs.StressSpec(1000)));
        Inputs.Check(Inputs.Driver().AddAdditionalTexts(_stress).RunGenerators(_compilation), "StressNet.g.cs");
        Inputs.Check(_warm, null);
    }

    /// <summary>Every spec in specs/, from scratch: parse, check, lower, emit.</summary>
    [Benchmark]
    public GeneratorDriver ZooFromScratch() => Inputs.Driver().AddAdditionalTexts(_zoo).RunGenerators(_compilation);

    /// <summary>The zoo already generated; one spec edited (an eps changes): only it is redone.</summary>
    [Benchmark]
    public GeneratorDriver OneSpecEdit() => _warm.ReplaceAdditionalText(_editTarget, _edited).RunGenerators(_compilation);

    /// <summary>One spec with 1,000 distinct class blocks chained, from scratch.</summary>
    [Benchmark]
    public GeneratorDriver StressSpec1000Blocks() => Inputs.Driver().AddAdditionalTexts(_stress).RunGenerators(_compilation);
}

/// <summary>An additional file held in memory.</summary>
public sealed class MemoryText(string path, string text) : AdditionalText
{
    private readonly SourceText _text = SourceText.From(text);

    public override string Path { get; } = path;

    public override SourceText GetText(CancellationToken cancellationToken = default) => _text;
}

public static class Inputs
{
    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(new[] { new InceptionGenerator().AsSourceGenerator() });

    /// <summary>The repository's specs/ folder, found by walking up to InceptionDsl.sln.</summary>
    public static ImmutableArray<AdditionalText> ZooSpecs()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "InceptionDsl.sln")))
                    return Directory.EnumerateFiles(Path.Combine(dir.FullName, "specs"), "*.inception.yaml").Order(StringComparer.Ordinal)
                        .Select(p => (AdditionalText)new MemoryText(p, File.ReadAllText(p))).ToImmutableArray();
            }
        }

        throw new InvalidOperationException("InceptionDsl.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A model of <paramref name="blocks"/> distinct class blocks, each a conv-bn-relu pair with a residual.</summary>
    public static string StressSpec(int blocks)
    {
        var text = new StringBuilder("""
            model: StressNet
            input: { channels: 3, size: 32 }
            classes: 10
            defaults:
              conv: { bias: false, bn: { eps: 0.001 }, act: relu }
            blocks:

            """);
        for (int i = 0; i < blocks; i++)
        {
            text.Append($$"""
                  Block{{i}}:
                    params: [c]
                    body:
                      - residual:
                          body:
                            - { name: a, conv: { filters: $c, k: 3, pad: 1 } }
                            - { name: b, conv: { filters: $c, k: 1 } }
                          scale: 1
                      - relu

                """);
        }

        text.Append("body:\n  - { name: stem, conv: { filters: 16, k: 3, pad: 1 } }\n");
        for (int i = 0; i < blocks; i++)
            text.Append($"  - {{ name: block{i}, use: Block{i}, args: {{ c: 16 }} }}\n");
        text.Append("  - global_avgpool\n  - { name: fc, linear: $classes }\n");
        return text.ToString();
    }

    /// <summary>Fails loudly when the generator reported anything or missed a file.</summary>
    public static void Check(GeneratorDriver driver, string? expected)
    {
        var result = driver.GetRunResult();
        if (result.Diagnostics.Length > 0)
            throw new InvalidOperationException(string.Join("\n", result.Diagnostics.Take(5)));
        if (expected is not null && !result.GeneratedTrees.Any(t => t.FilePath.EndsWith(expected, StringComparison.Ordinal)))
            throw new InvalidOperationException("not generated: " + expected);
    }
}
