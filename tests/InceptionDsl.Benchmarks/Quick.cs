using System.Diagnostics;

namespace InceptionDsl.Benchmarks;

/// <summary>A rough timing without BenchmarkDotNet: warm up, then the median of a few runs, with allocations.</summary>
public static class Quick
{
    public static int Run()
    {
        var bench = new GeneratorBenchmarks();
        bench.Setup();
        Measure("ZooFromScratch", () => bench.ZooFromScratch(), 20);
        Measure("OneSpecEdit", () => bench.OneSpecEdit(), 50);
        Measure("StressSpec1000Blocks", () => bench.StressSpec1000Blocks(), 5);
        return 0;
    }

    private static void Measure(string name, Func<object> action, int runs)
    {
        for (int i = 0; i < 3; i++)
            action();
        var times = new List<double>();
        long allocated = 0;
        for (int i = 0; i < runs; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            action();
            times.Add(watch.Elapsed.TotalMilliseconds);
            allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }

        times.Sort();
        Console.WriteLine($"{name,-22} median {times[times.Count / 2],9:F3} ms   min {times[0],9:F3} ms   allocated {allocated / runs / 1024.0 / 1024.0,8:F2} MB/op");
    }
}
