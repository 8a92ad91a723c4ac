using System.Diagnostics;
using CsCheck;
using InceptionDsl.Diagnostics;
using InceptionDsl.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace InceptionDsl.Tests.Diagnostics;

/// <summary>
/// Property: mutate valid specs (delete, duplicate or retype lines, nodes and keys; change numbers;
/// truncate) and the pipeline never throws, every failure is a located diagnostic, and a sample of
/// the mutants that pass generates C# that compiles. Fast by default; the long run is
/// <c>INCEPTIONDSL_PROPERTY_ITERATIONS=100000 dotnet test tests/InceptionDsl.Tests --filter "FullyQualifiedName~SpecMutationPropertyTests"</c>.
/// </summary>
public sealed class SpecMutationPropertyTests(ITestOutputHelper output)
{
    private const long FastIterations = 2_000;

    /// <summary>Each compiled passing mutant 1 in this many is also generated and compiled by Roslyn.</summary>
    private const int CompileEvery = 40;

    private const int MaxCompiled = 25;

    private static readonly string[] Small =
    {
        Specs.Wrap("""
          - { name: stem, conv: { filters: 16, k: 3, stride: 2, pad: 1 } }
          - name: mix
            concat:
              - { name: a, conv: { filters: 8, k: 1 } }
              - [ { name: b1, conv: { filters: 4, k: 1 } }, { name: b2, conv: { filters: 8, k: 3, pad: 1 } } ]
              - name: c
                seq:
                  - maxpool: { k: 3, stride: 1, pad: 1 }
                  - conv: { filters: 4, k: 1 }
          - name: res
            residual:
              body:
                - { name: "r{i}", conv: { filters: 20, k: 3, pad: 1 }, repeat: 2 }
              scale: 0.5
          - relu
          - global_avgpool
          - dropout: 0.2
          - { name: fc, linear: $classes }
        """, extra: "defaults:\n  conv: { bias: false, bn: { eps: 0.001 }, act: relu }"),
        Specs.Wrap("""
          - { name: stem, conv: { filters: 8, k: 3, pad: 1 } }
          - { name: b, use: Block, args: { w: 8, stride: 2 } }
          - { name: t, use: Twice, args: [8] }
          - adaptive_avgpool: 1
          - flatten
          - { name: fc, linear: { out: $classes, bias: true } }
        """, blocks: """
          Block:
            params: [w, stride: 1]
            let: { mid: $w * 2 }
            body:
              - residual:
                  body:
                    - { name: conv1, conv: { filters: $mid, k: 3, stride: $stride, pad: 1 } }
                    - { name: bn1, bn: {} }
                    - relu
                    - { name: conv2, conv: { filters: $w, k: [1, 3], pad: [0, 1] } }
                  shortcut:
                    name: down
                    if: $stride != 1
                    seq:
                      - conv: { filters: $w, k: 1, stride: $stride }
                      - bn: { eps: 0.001 }
              - relu
          Twice:
            inline: true
            params: [w]
            body:
              - seq:
                  - { conv: { filters: $w, k: 3, pad: same }, repeat: 2 }
        """),
        "params: [w]\nvariants:\n  - { model: NetA, args: { w: 8 } }\n  - { model: NetB, args: { w: 16 } }\ninput: { channels: 3, size: [32, 24] }\nclasses: 10\nbody:\n  - { name: c, conv: { filters: $w, k: 3 } }\n  - avgpool: { k: 2, count_include_pad: false }\n  - global_avgpool\n  - { name: fc, linear: $classes }\n",
    };

    private static readonly string[] Words = { "relu", "conv", "seq", "concat", "residual", "use", "name", "filters", "k", "stride", "pad", "same", "true", "null", "$w", "$classes", "$in_channels", "{}", "[]", "[1, 2]", "''", "&a x", "*a", "Block", "class", "x.y", "$i", "{i}", "repeat", "if" };

    private static readonly string[] Numbers = { "-1", "0", "1", "2", "3", "7", "64", "1000", "100001", "99999999999999999999", "0.5", "1e9", "-0", "$w * 0", "1 // 0" };

    /// <summary>The real specs (read now: others edit them) and the small ones.</summary>
    private static string[] Seeds() => GeneratorHarness.ZooSpecs().Select(s => s.Text).Concat(Small).ToArray();

    /// <summary>One mutation: kind, a position and a choice, all drawn by CsCheck.</summary>
    public readonly record struct Mutation(int Kind, int Position, int Choice);

    private static readonly Gen<Mutation> MutationGen = Gen.Select(Gen.Int[0, 9], Gen.Int[0, int.MaxValue], Gen.Int[0, int.MaxValue], (k, p, c) => new Mutation(k, p, c));

    public static string Apply(string text, IEnumerable<Mutation> mutations)
    {
        var lines = text.Split('\n').ToList();
        foreach (var m in mutations)
        {
            if (lines.Count == 0)
                lines.Add("");
            int i = m.Position % lines.Count;
            string line = lines[i];
            switch (m.Kind)
            {
                case 0: // delete a line (a node or a key)
                    lines.RemoveAt(i);
                    break;
                case 1: // duplicate a line (duplicate node / key)
                    lines.Insert(i, line);
                    break;
                case 2: // change a number
                {
                    var digits = System.Text.RegularExpressions.Regex.Matches(line, @"\d+");
                    if (digits.Count > 0)
                    {
                        var d = digits[m.Choice % digits.Count];
                        lines[i] = line[..d.Index] + Numbers[m.Choice % Numbers.Length] + line[(d.Index + d.Length)..];
                    }
                    break;
                }
                case 3: // retype a value: replace the text after a ':' by a word, list or mapping
                {
                    int colon = line.IndexOf(':', m.Choice % Math.Max(1, line.Length));
                    if (colon < 0) colon = line.IndexOf(':');
                    if (colon >= 0)
                    {
                        int end = line.IndexOfAny(new[] { ',', '}' }, colon + 1);
                        var word = " " + Words[m.Choice % Words.Length];
                        lines[i] = end < 0 ? line[..(colon + 1)] + word : line[..(colon + 1)] + word + line[end..];
                    }
                    break;
                }
                case 4: // rename a key: replace a word by another
                {
                    var words = System.Text.RegularExpressions.Regex.Matches(line, @"[A-Za-z_]+");
                    if (words.Count > 0)
                    {
                        var w = words[m.Choice % words.Count];
                        lines[i] = line[..w.Index] + Words[(m.Choice / 7) % Words.Length] + line[(w.Index + w.Length)..];
                    }
                    break;
                }
                case 5: // truncate the text
                {
                    var joined = string.Join('\n', lines);
                    lines = joined[..(m.Choice % (joined.Length + 1))].Split('\n').ToList();
                    break;
                }
                case 6: // move a line elsewhere (re-indent / re-parent a node)
                    lines.RemoveAt(i);
                    lines.Insert(m.Choice % (lines.Count + 1), line);
                    break;
                case 7: // change indentation
                    lines[i] = (m.Choice % 2 == 0 ? "  " : "") + (m.Choice % 2 == 0 ? line : line.TrimStart(' ').PadLeft(line.TrimStart(' ').Length + (line.Length - line.TrimStart(' ').Length) / 2));
                    break;
                case 8: // insert or delete one character
                {
                    int at = m.Choice % (line.Length + 1);
                    const string chars = "{}[]:,-&*!|>'\"#$ \t0x";
                    lines[i] = m.Choice % 3 == 0 && at < line.Length ? line.Remove(at, 1) : line.Insert(at, chars[(m.Choice / 3) % chars.Length].ToString());
                    break;
                }
                default: // duplicate a block of lines (a whole node with its children)
                {
                    int count = 1 + m.Choice % 6;
                    var block = lines.Skip(i).Take(count).ToList();
                    lines.InsertRange(Math.Min(lines.Count, i + count), block);
                    break;
                }
            }
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public void MutatedSpecsNeverThrowAndEveryFailureIsALocatedDiagnostic()
    {
        long iterations = long.TryParse(Environment.GetEnvironmentVariable("INCEPTIONDSL_PROPERTY_ITERATIONS"), out var n) && n > 0 ? n : FastIterations;
        var seeds = Seeds();
        long passed = 0, failed = 0, compiled = 0;
        var stopwatch = Stopwatch.StartNew();
        var gen = Gen.Select(Gen.Int[0, seeds.Length - 1], MutationGen.Array[1, 4]);
        gen.Sample(sample =>
        {
            var (seed, mutations) = sample;
            var text = Apply(seeds[seed], mutations);
            var result = SpecCompiler.Compile("mutant.inception.yaml", text);
            int lineCount = text.Split('\n').Length;
            Assert.DoesNotContain(result.Diagnostics, d => d.Id == Descriptors.InternalError.Id);
            foreach (var d in result.Diagnostics)
            {
                Assert.StartsWith("IDSL", d.Id);
                Assert.False(string.IsNullOrWhiteSpace(d.Message), d.ToString());
                Assert.True(d.Span.Line >= 1 && d.Span.Line <= lineCount + 1 && d.Span.Column >= 1, $"{d} is not located in a {lineCount}-line text");
            }

            if (result.HasErrors)
            {
                Assert.Empty(result.Models);
                Interlocked.Increment(ref failed);
                return;
            }

            long index = Interlocked.Increment(ref passed);
            if (index % CompileEvery == 1 && Interlocked.Increment(ref compiled) <= MaxCompiled)
            {
                var (run, output) = GeneratorHarness.Run(("mutant.inception.yaml", text));
                Assert.All(run.Results, r => Assert.Null(r.Exception));
                Assert.DoesNotContain(run.Diagnostics, d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error);
                var problems = GeneratorHarness.CompileProblems(output);
                Assert.True(problems.Count == 0, "a spec that passes must compile:\n" + text + "\n" + string.Join("\n", problems.Take(5)));
            }
        }, iter: iterations, threads: 1, print: t => $"seed {t.Item1}, mutations {string.Join("; ", t.Item2)}:\n{Apply(seeds[t.Item1], t.Item2)}");
        output.WriteLine($"{iterations} cases in {stopwatch.Elapsed.TotalSeconds:F1} s: {failed} rejected with diagnostics, {passed} passed, {Math.Min(compiled, MaxCompiled)} of those compiled by Roslyn");
    }

    [Fact]
    public void EverySeedIsValidAndCompiles()
    {
        foreach (var seed in Small)
        {
            var result = SpecCompiler.Compile("seed.inception.yaml", seed);
            Assert.False(result.HasErrors, string.Join("\n", result.Diagnostics));
            var (run, output) = GeneratorHarness.Run(("seed.inception.yaml", seed));
            Assert.Empty(run.Diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error));
            Assert.Empty(GeneratorHarness.CompileProblems(output));
        }
    }
}
