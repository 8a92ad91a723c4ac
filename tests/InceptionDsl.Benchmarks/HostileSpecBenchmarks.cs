using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using InceptionDsl.Tests.Security;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// The bounded-work worst cases (issue 13): <see cref="SpecCompiler.Compile"/> on each generated
/// hostile spec. Target: every case, up to 1 MB, under 2 s on the 2-core build machine.
/// `-- --hostile` prints a table without BenchmarkDotNet (one warm-up, median of three runs, wall and processor time).
/// </summary>
[MemoryDiagnoser]
public class HostileSpecBenchmarks
{
    public static IEnumerable<HostileSpec> Cases() => HostileSpecs.All;

    [ParamsSource(nameof(Cases))]
    public HostileSpec Case { get; set; } = null!;

    [Benchmark]
    public SpecResult Compile() => SpecCompiler.Compile("/bench/" + Case.Name + ".inception.yaml", Case.Text);

    /// <summary>Prints one row per case: size, outcome, median time, generator time; returns 1 when a case misses 2 s or its outcome.</summary>
    public static int PrintTable()
    {
        Console.WriteLine($"| {"case",-28} | {"size",9} | {"outcome",-8} | {"median ms",9} | {"cpu ms",7} | {"generator ms",12} | what |");
        Console.WriteLine($"|{new string('-', 30)}|{new string('-', 11)}|{new string('-', 10)}|{new string('-', 11)}|{new string('-', 9)}|{new string('-', 14)}|------|");
        var compilation = Microsoft.CodeAnalysis.CSharp.CSharpCompilation.Create("Hostile");
        int failures = 0;
        foreach (var hostile in HostileSpecs.All)
        {
            var path = "/bench/" + hostile.Name + ".inception.yaml";
            var result = SpecCompiler.Compile(path, hostile.Text);
            var times = new List<double>();
            var cpu = new List<double>();
            for (int run = 0; run < 3; run++)
            {
                // Processor time beside wall time: on a shared machine the wall clock also counts other work.
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                var watch = Stopwatch.StartNew();
                result = SpecCompiler.Compile(path, hostile.Text);
                times.Add(watch.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
            }

            times.Sort();
            cpu.Sort();

            // The build's share: the source generator on this one spec (compile, lower, emit C#), once.
            var generatorWatch = Stopwatch.StartNew();
            Inputs.Driver().AddAdditionalTexts(System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.AdditionalText>(new MemoryText(path, hostile.Text)))
                .RunGenerators(compilation);
            double generator = generatorWatch.Elapsed.TotalMilliseconds;
            var outcome = !result.HasErrors ? "accepted"
                : result.Diagnostics.Any(d => d.Id == hostile.ExpectedId) ? hostile.ExpectedId!
                : result.Diagnostics.First(d => d.Severity == Diagnostics.SpecSeverity.Error).Id;
            bool ok = outcome == (hostile.ExpectedId ?? "accepted") && times[1] < 2000 && generator < 2000;
            failures += ok ? 0 : 1;
            Console.WriteLine($"| {hostile.Name,-28} | {hostile.Text.Length / 1024.0,6:F0} KB | {outcome,-8} | {times[1],9:F1} | {cpu[1],7:F0} | {generator,12:F0} | {hostile.What}{(ok ? "" : "  << MISSED (expected " + (hostile.ExpectedId ?? "accepted") + ", under 2 s)")} |");
        }

        return failures == 0 ? 0 : 1;
    }
}
