using System.Diagnostics;
using System.Globalization;
using InceptionDsl.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// `-- --forward [--rounds N]`: forward times of the newest zoo models (issue 15: LegacyXception,
/// ResNet50D, SEResNet50, SEResNeXt26D_32x4d) at batch 1, as built and after Fuse(), interleaved with
/// ResNet50 (whose ratio to TorchVision's hand-written model `inceptiondsl bench` measures) as the
/// in-run baseline. Medians over the rounds; the ratios compare within one run, so a busy machine
/// slows every model alike more than it skews them.
/// </summary>
public static class ForwardBenchmarks
{
    private static readonly string[] Models = { "ResNet50", "LegacyXception", "ResNet50D", "SEResNet50", "SEResNeXt26D_32x4d" };

    public static int Run(string[] args)
    {
        int rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(5);
        Console.WriteLine($"forward: {rounds} rounds, batch 1, {torch.get_num_threads()} threads, {Environment.ProcessorCount} cores, float32 CPU, eval + inference_mode, load average {LoadAverage()}");
        manual_seed(0);
        var contenders = new List<(ZooEntry Entry, string Variant, nn.Module<Tensor, Tensor> Module)>();
        foreach (var name in Models)
        {
            var entry = ModelZoo.Find(name) ?? throw new InvalidOperationException("no zoo model " + name);
            contenders.Add((entry, "generated", entry.Create(entry.Classes, entry.InChannels, false)));
            var fused = entry.Create(entry.Classes, entry.InChannels, false);
            ((IInceptionDslModel)fused).Fuse();
            contenders.Add((entry, "fused", fused));
        }

        foreach (var c in contenders)
            c.Module.eval();
        var times = contenders.ToDictionary(c => (c.Entry.Name, c.Variant), _ => new List<double>());
        using (inference_mode())
        {
            foreach (var c in contenders)
                Time(c.Entry, c.Module);  // warm-up
            for (int round = 0; round < rounds; round++)
            {
                // Interleaved, the order rotating every round.
                var order = contenders.Skip(round % contenders.Count).Concat(contenders.Take(round % contenders.Count));
                foreach (var c in order)
                    times[(c.Entry.Name, c.Variant)].Add(Time(c.Entry, c.Module));
                Console.Error.WriteLine($"round {round + 1}/{rounds} done");
            }
        }

        double Median(string model, string variant) => times[(model, variant)].Order().ElementAt(times[(model, variant)].Count / 2);
        var baseline = ModelZoo.Find("ResNet50")!;
        double baseRate = baseline.Flops / Median("ResNet50", "generated");
        Console.WriteLine();
        Console.WriteLine("model               input  GFLOPs  generated ms  fused ms  fused/generated  generated/ResNet50  GFLOP/s  GFLOP/s / ResNet50's");
        foreach (var name in Models)
        {
            var entry = ModelZoo.Find(name)!;
            double generated = Median(name, "generated"), fused = Median(name, "fused");
            double rate = entry.Flops / generated;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-18} {entry.Height,6} {entry.Flops / 1e9,7:F2} {generated,13:F1} {fused,9:F1} {fused / generated,16:F3} {generated / Median("ResNet50", "generated"),19:F3} {rate / 1e6,8:F1} {rate / baseRate,21:F3}"));
        }

        foreach (var c in contenders)
            c.Module.Dispose();
        return 0;
    }

    private static double Time(ZooEntry entry, nn.Module<Tensor, Tensor> module)
    {
        using var scope = NewDisposeScope();
        var input = randn(1, entry.InChannels, entry.Height, entry.Width);
        var watch = Stopwatch.StartNew();
        _ = module.forward(input);
        return watch.Elapsed.TotalMilliseconds;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
