using System.Diagnostics;
using System.Globalization;
using InceptionDsl.Models;
using InceptionDsl.Platform;
using static TorchSharp.torch;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// `-- --onednn-cost [--rounds N] [--batch B]`: what turning libtorch's oneDNN off costs (the
/// workaround of docs/platform.md). Inception-v4 and GoogLeNet, fused (channels-last) and as built,
/// timed with oneDNN on and off in one process, the switch flipped between forwards (libtorch reads
/// it per convolution), interleaved so that a busy machine slows both alike. Medians over the rounds.
/// Where the CPU hides its caches the "on" figures are of wrong answers, and channels-last 1x1
/// convolutions can kill the process: the fused models are then timed only when `--unsafe` is given.
/// </summary>
public static class OneDnnCostBenchmarks
{
    public static int Run(string[] args)
    {
        int rounds = args.SkipWhile(a => a != "--rounds").Skip(1).Select(int.Parse).FirstOrDefault(5);
        int batch = args.SkipWhile(a => a != "--batch").Skip(1).Select(int.Parse).FirstOrDefault(8);
        InitializeDeviceType(TorchSharp.DeviceType.CPU);
        var context = LibTorchContext.TryOpen(out var failure) ?? throw new InvalidOperationException(failure);
        var topology = CpuCacheTopology.Read();
        bool fusedSafe = !topology.HidesDataCaches || args.Contains("--unsafe");
        // As the guard does: NNPACK cannot initialise where the caches are hidden, and would log a warning per convolution.
        if (topology.HidesDataCaches)
            context.SetNnpackEnabled(false);
        Console.WriteLine($"onednn-cost: {rounds} rounds, batch {batch}, {get_num_threads()} threads, {Environment.ProcessorCount} cores, float32 CPU, eval + inference_mode, load average {LoadAverage()}");
        Console.WriteLine($"cpu caches: {topology.Describe()}");

        manual_seed(0);
        var contenders = new List<(string Name, long Size, nn.Module<Tensor, Tensor> Module)>
        {
            ("InceptionV4", 299, new InceptionV4()),
            ("GoogLeNet", 224, new GoogLeNet(auxLogits: false)),
        };
        if (fusedSafe)
        {
            contenders.Insert(0, ("InceptionV4 fused", 299, new InceptionV4().Fuse()));
            contenders.Insert(2, ("GoogLeNet fused", 224, new GoogLeNet(auxLogits: false).Fuse()));
        }
        else
        {
            Console.WriteLine("fused (channels-last) models left out: this CPU hides its caches, where oneDNN's channels-last 1x1 convolutions can die with SIGFPE (--unsafe times them anyway)");
        }

        foreach (var c in contenders)
            c.Module.eval();
        var times = new Dictionary<(string, bool), List<double>>();
        using (inference_mode())
        {
            foreach (var on in new[] { true, false })
            {
                context.OneDnnEnabled = on;
                foreach (var c in contenders)
                    Time(c.Module, batch, c.Size); // warm-up
            }

            for (int round = 0; round < rounds; round++)
            {
                foreach (var c in contenders)
                {
                    foreach (var on in round % 2 == 0 ? new[] { true, false } : new[] { false, true })
                    {
                        context.OneDnnEnabled = on;
                        var key = (c.Name, on);
                        if (!times.TryGetValue(key, out var list))
                            times[key] = list = new List<double>();
                        list.Add(Time(c.Module, batch, c.Size));
                    }
                }

                Console.Error.WriteLine($"round {round + 1}/{rounds} done");
            }
        }

        context.OneDnnEnabled = true;
        Console.WriteLine();
        Console.WriteLine("model                batch  oneDNN on ms  oneDNN off ms  off/on");
        foreach (var c in contenders)
        {
            double on = Median(times[(c.Name, true)]), off = Median(times[(c.Name, false)]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c.Name,-20} {batch,5} {on,13:F0} {off,14:F0} {off / on,7:F2}"));
        }

        foreach (var c in contenders)
            c.Module.Dispose();
        return 0;
    }

    private static double Time(nn.Module<Tensor, Tensor> module, int batch, long size)
    {
        using var scope = NewDisposeScope();
        var input = randn(batch, 3, size, size);
        var watch = Stopwatch.StartNew();
        _ = module.forward(input).shape;
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
}
