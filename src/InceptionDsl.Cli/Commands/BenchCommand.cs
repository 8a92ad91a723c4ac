using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Platform;
using Spectre.Console.Cli;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Inference speed: generated GoogLeNet, Inception-v3, ResNet-18 and ResNet-50 — unfused, fused
/// (Fuse(): BatchNorm folded, channels-last weights) and fused NCHW (Fuse(channelsLast: false)) —
/// against TorchVision's hand-written TorchSharp models, at batch 1 and 8, interleaved and
/// repeated (medians); achieved GFLOP/s of the generated Inception-v4 and ResNet-50 against a
/// libtorch matrix product in the same run. Eval mode under torch.inference_mode(). ONNX Runtime
/// (CPU, the same thread count) runs each model exported by InceptionDsl.Onnx, interleaved with the
/// others; Inception-v4 (no hand-written peer in TorchVision) is timed generated, fused and in ONNX
/// Runtime. Peak memory of Inception-v4 at batch 8 is measured in a child process per engine. The
/// last line starts with <c>ratio:</c>.
/// </summary>
public sealed class BenchCommand : Command<BenchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "[MODEL|FILE]")]
        [Description("Time this model alone (a spec file, compiled now, or a zoo name) instead of the comparison with TorchVision: generated, fused, fused NCHW and ONNX Runtime.")]
        public string? Source { get; init; }

        [CommandOption("--model <NAME>")]
        [Description("With a spec file of several models: the one to time.")]
        public string? Model { get; init; }

        [CommandOption("--rounds <N>")]
        [Description("Interleaved rounds; each times every model once per variant and batch (default 5).")]
        public int Rounds { get; init; } = 5;

        [CommandOption("--batches <LIST>")]
        [Description("Batch sizes, comma-separated (default 1,8).")]
        public string Batches { get; init; } = "1,8";

        [CommandOption("--peak-batch <N>")]
        [Description("Batch of the GFLOP/s measurement of Inception-v4 and ResNet-50 (default 8).")]
        public int PeakBatch { get; init; } = 8;

        [CommandOption("--threads <N>")]
        [Description("torch.set_num_threads and ONNX Runtime's intra-op threads (default: libtorch's choice).")]
        public int? Threads { get; init; }

        [CommandOption("--onnx-level <LEVEL>")]
        [Description("ONNX Runtime graph optimisation level: disable, basic, extended, layout or all (default all).")]
        public string OnnxLevel { get; init; } = "all";

        [CommandOption("--memory-probe <ENGINE>")]
        [Description("Internal: run Inception-v4 at batch 8 on one engine (onnx or torchsharp) and print this process's peak memory.")]
        public string? MemoryProbe { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (OnnxLevels.ParseLevel(OnnxLevel) is null)
                return Spectre.Console.ValidationResult.Error($"--onnx-level must be disable, basic, extended, layout or all, not '{OnnxLevel}'");
            if (MemoryProbe is not null and not "onnx" and not "torchsharp")
                return Spectre.Console.ValidationResult.Error($"--memory-probe must be onnx or torchsharp, not '{MemoryProbe}'");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    /// <summary>One timed thing: a TorchSharp module, or an ONNX Runtime session (<see cref="Session"/>).</summary>
    private sealed record Contender(string Model, long Size, string Variant, nn.Module<Tensor, Tensor>? Module, OnnxModelSession? Session = null)
    {
        public double Time(int batch) => Session is null ? BenchCommand.Time(Module!, batch, Size) : TimeOnnx(Session, batch, Size);

        public void Dispose()
        {
            Module?.Dispose();
            Session?.Dispose();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Threads is { } threads)
            torch.set_num_threads(threads);
        if (settings.MemoryProbe is { } engine)
            return MemoryProbe(engine, torch.get_num_threads());
        var onnxOptions = new OnnxRunOptions { IntraOpThreads = torch.get_num_threads(), OptimizationLevel = OnnxLevels.ParseLevel(settings.OnnxLevel)!.Value };
        var batches = settings.Batches.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(int.Parse).ToArray();
        Console.WriteLine($"bench: {settings.Rounds} rounds, batches {string.Join(",", batches)}, {torch.get_num_threads()} threads, {Environment.ProcessorCount} cores, float32 CPU, eval + inference_mode");
        Console.WriteLine("inputs NCHW contiguous; fused = Fuse() (BatchNorm folded, conv weights channels-last), fused-nchw = Fuse(channelsLast: false)");
        Console.WriteLine($"onnx = the generated model exported by InceptionDsl.Onnx, ONNX Runtime {OnnxLevels.Version} CPU, {onnxOptions.IntraOpThreads} intra-op threads, optimisation level {settings.OnnxLevel}");
        var platform = LibTorchGuard.EnsureApplied();
        Console.WriteLine($"libtorch: {platform.Describe()}");
        // Kept on against the evidence (INCEPTIONDSL_ONEDNN=on) where the CPU hides its caches, oneDNN
        // kills the process planning channels-last 1x1 convolutions: the fused (channels-last) models
        // are left out with the reason rather than ending the run.
        string? channelsLastSkipped = platform.OneDnnEnabled && platform.Topology.HidesDataCaches
            ? "fused (channels-last) skipped: oneDNN is on and this CPU hides its caches, where its channels-last 1x1 convolutions die with SIGFPE (docs/platform.md)"
            : null;
        if (channelsLastSkipped is not null)
            Console.WriteLine(channelsLastSkipped);
        if (settings.Source is not null)
            return BenchModel.Run(settings.Source, settings.Model, batches, settings.Rounds, onnxOptions, channelsLast: channelsLastSkipped is null);
        torch.manual_seed(0);

        var contenders = new List<Contender>();
        void Add(string model, long size, nn.Module<Tensor, Tensor>? handwritten, nn.Module<Tensor, Tensor> generated, nn.Module<Tensor, Tensor> fused,
            nn.Module<Tensor, Tensor> fusedNchw, bool onnx = true)
        {
            if (handwritten is not null)
                contenders.Add(new Contender(model, size, "handwritten", handwritten));
            contenders.Add(new Contender(model, size, "generated", generated));
            if (channelsLastSkipped is null)
            {
                ((IInceptionDslModel)fused).Fuse();
                contenders.Add(new Contender(model, size, "fused", fused));
            }
            else
            {
                fused.Dispose();
            }

            ((IInceptionDslModel)fusedNchw).Fuse(channelsLast: false);
            contenders.Add(new Contender(model, size, "fused-nchw", fusedNchw));
            if (onnx)
                contenders.Add(new Contender(model, size, "onnx", null, new OnnxModelSession(OnnxExport.ToBytes((IOnnxExportable)generated), onnxOptions)));
        }

        Add("GoogLeNet", 224, torchvision.models.googlenet(), new GoogLeNet(auxLogits: false), new GoogLeNet(auxLogits: false), new GoogLeNet(auxLogits: false));
        Add("InceptionV3", 299, torchvision.models.inception_v3(), new InceptionV3(auxLogits: false), new InceptionV3(auxLogits: false), new InceptionV3(auxLogits: false));
        Add("InceptionV4", 299, null, new InceptionV4(), new InceptionV4(), new InceptionV4());
        Add("ResNet18", 224, torchvision.models.resnet18(), new ResNet18(), new ResNet18(), new ResNet18(), onnx: false);
        Add("ResNet50", 224, torchvision.models.resnet50(), new ResNet50(), new ResNet50(), new ResNet50());
        foreach (var c in contenders)
            c.Module?.eval();

        var times = new Dictionary<(string Model, int Batch, string Variant), List<double>>();
        using (torch.inference_mode())
        {
            // Warm-up: one forward of each at each batch.
            foreach (var batch in batches)
                foreach (var c in contenders)
                    c.Time(batch);
            for (int round = 0; round < settings.Rounds; round++)
            {
                foreach (var batch in batches)
                {
                    foreach (var group in contenders.GroupBy(c => c.Model))
                    {
                        // Interleaved, the order rotating every round.
                        var order = group.ToList();
                        for (int k = 0; k < round % order.Count; k++)
                        {
                            order.Add(order[0]);
                            order.RemoveAt(0);
                        }

                        foreach (var c in order)
                        {
                            var key = (c.Model, batch, c.Variant);
                            if (!times.TryGetValue(key, out var list))
                                times[key] = list = new List<double>();
                            list.Add(c.Time(batch));
                        }
                    }
                }

                Console.Error.WriteLine($"round {round + 1}/{settings.Rounds} done");
            }
        }

        Console.WriteLine();
        Console.WriteLine("model        batch  handwritten ms  generated ms  fused ms  fused-nchw ms  onnx ms  generated/hw  fused/hw  fused-nchw/hw  onnx/hw  onnx/fused");
        var generatedRatios = new List<double>();
        var fusedRatios = new List<double>();
        var fusedNchwRatios = new List<double>();
        var onnxRatios = new List<double>();
        string Cell(double? value, int width, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture).PadLeft(width) : "-".PadLeft(width);
        foreach (var model in contenders.Select(c => c.Model).Distinct())
        {
            foreach (var batch in batches)
            {
                double? Median(string variant) => times.TryGetValue((model, batch, variant), out var list) ? BenchCommand.Median(list) : null;
                double? hw = Median("handwritten"), onnx = Median("onnx");
                double gen = Median("generated")!.Value, fusedNchw = Median("fused-nchw")!.Value;
                double? fused = Median("fused");
                if (hw is { } h)
                {
                    generatedRatios.Add(gen / h);
                    if (fused is { } f)
                        fusedRatios.Add(f / h);
                    fusedNchwRatios.Add(fusedNchw / h);
                    if (onnx is { } o)
                        onnxRatios.Add(o / h);
                }

                Console.WriteLine($"{model,-12} {batch,5}  {Cell(hw, 14, "F1")}  {Cell(gen, 12, "F1")}  {Cell(fused, 8, "F1")}  {Cell(fusedNchw, 13, "F1")}  {Cell(onnx, 7, "F1")}  "
                    + $"{Cell(gen / hw, 12, "F3")}  {Cell(fused / hw, 8, "F3")}  {Cell(fusedNchw / hw, 13, "F3")}  {Cell(onnx / hw, 7, "F3")}  {Cell(onnx / fused, 10, "F3")}");
            }
        }

        foreach (var c in contenders)
            c.Dispose();

        // Peak memory of Inception-v4 at batch 8, each engine alone in a child process.
        Console.WriteLine();
        foreach (var probe in new[] { "onnx", "torchsharp" })
            Console.WriteLine(probe == "torchsharp" && channelsLastSkipped is not null ? "peak memory torchsharp (fused): skipped, as above" : RunMemoryProbe(probe, torch.get_num_threads()));

        // Achieved GFLOP/s against a libtorch matrix product, in the same run.
        var peak = MeasurePeak(settings.PeakBatch, settings.Rounds, fused: channelsLastSkipped is null);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"matmul 2048x2048 float32: {peak.Matmul:F1} GFLOP/s (median; interleaved with the models below)"));
        // A fused rate is NaN where the fused models were left out (channelsLastSkipped): printed as "skipped".
        string Fused(double rate) => double.IsNaN(rate) ? "fused skipped" : string.Create(CultureInfo.InvariantCulture, $"{rate:F1} fused ({rate / peak.Matmul:P0} of matmul)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"InceptionV4 batch {settings.PeakBatch}: {peak.V4Unfused:F1} GFLOP/s unfused, {Fused(peak.V4Fused)}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ResNet50 batch {settings.PeakBatch}: {peak.R50Unfused:F1} GFLOP/s unfused, {Fused(peak.R50Fused)}"));
        Console.WriteLine("(ratios below: geometric means over models and batches of the per-case median ratios; inceptionv4 uses the fused model)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fused-nchw/handwritten={GeoMean(fusedNchwRatios):F3} (BatchNorm folding alone, without channels-last)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"ratio: generated/handwritten={GeoMean(generatedRatios):F3} fused/handwritten={GeoMean(fusedRatios):F3} inceptionv4/matmul_peak={peak.V4Fused / peak.Matmul:F3} onnx/handwritten={GeoMean(onnxRatios):F3}"));
        Console.WriteLine($"libtorch: oneDNN {(platform.OneDnnEnabled ? "on" : "off")} in this run{(channelsLastSkipped is null ? "" : "; " + channelsLastSkipped)}");
        return 0;
    }

    private static double TimeOnnx(OnnxModelSession session, int batch, long size)
    {
        using var scope = NewDisposeScope();
        var input = randn(batch, 3, size, size);
        var watch = Stopwatch.StartNew();
        _ = session.Run(input);
        watch.Stop();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>
    /// Runs this command again as a child process with --memory-probe, so the process's peak resident
    /// memory belongs to one engine only; returns its report line.
    /// </summary>
    private static string RunMemoryProbe(string engine, int threads)
    {
        var info = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // Under `dotnet inceptiondsl.dll` the host is dotnet: name the application first.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
            info.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        foreach (var arg in new[] { "bench", "--memory-probe", engine, "--threads", threads.ToString(CultureInfo.InvariantCulture) })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return process.ExitCode == 0 ? stdout : $"peak memory {engine}: the probe failed ({stderr.Result.Split('\n')[0]})";
    }

    /// <summary>--memory-probe: Inception-v4 batch 8 (three forwards) on one engine; prints peak and baseline resident memory.</summary>
    private static int MemoryProbe(string engine, int threads)
    {
        const int batch = 8;
        torch.manual_seed(0);
        using var mode = torch.inference_mode();
        var model = new InceptionV4();
        model.eval();
        OnnxModelSession? session = null;
        if (engine == "onnx")
        {
            session = new OnnxModelSession(OnnxExport.ToBytes(model), new OnnxRunOptions { IntraOpThreads = threads });
            model.Dispose();
        }
        else
        {
            model.Fuse();
        }

        GC.Collect();
        using var process = Process.GetCurrentProcess();
        long baseline = process.WorkingSet64;
        for (int i = 0; i < 3; i++)
        {
            if (session is not null)
                TimeOnnx(session, batch, 299);
            else
                Time(model, batch, 299);
        }

        process.Refresh();
        long peak = process.PeakWorkingSet64;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak memory InceptionV4 batch {batch} {(engine == "onnx" ? "onnx runtime" : "torchsharp (fused)")}: {peak / 1048576.0:F0} MiB resident at peak, {baseline / 1048576.0:F0} MiB after loading, {(peak - baseline) / 1048576.0:F0} MiB more while running"));
        session?.Dispose();
        if (session is null)
            model.Dispose();
        return 0;
    }

    private static double Time(nn.Module<Tensor, Tensor> module, int batch, long size)
    {
        using var scope = NewDisposeScope();
        var input = randn(batch, 3, size, size);
        var watch = Stopwatch.StartNew();
        var output = module.forward(input);
        _ = output.shape;
        watch.Stop();
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Achieved GFLOP/s, medians: a libtorch matmul and the generated Inception-v4 and ResNet-50.</summary>
    private sealed record PeakRates(double Matmul, double V4Unfused, double V4Fused, double R50Unfused, double R50Fused);

    /// <summary>
    /// The matmul and the four model forwards timed in one interleaved loop (order rotating every
    /// round), so that a load spike on this shared machine hits the model and its peak alike.
    /// </summary>
    private static PeakRates MeasurePeak(int batch, int rounds, bool fused)
    {
        const long n = 2048;
        using var scope = NewDisposeScope();
        using var mode = torch.inference_mode();
        var a = randn(n, n);
        var b = randn(n, n);
        using var v4 = new InceptionV4();
        v4.eval();
        // Without the fused models (see channelsLastSkipped) their rates are NaN and print so.
        using var v4Fused = fused ? new InceptionV4().Fuse() : null;
        using var r50 = new ResNet50();
        r50.eval();
        using var r50Fused = fused ? new ResNet50().Fuse() : null;
        var cases = new (double Flops, Func<double> Milliseconds)[]
        {
            (2.0 * n * n * n, () => TimeMatmul(a, b)),
            ((double)InceptionV4.FlopCount * batch, () => Time(v4, batch, 299)),
            ((double)InceptionV4.FlopCount * batch, () => v4Fused is null ? double.NaN : Time(v4Fused, batch, 299)),
            ((double)ResNet50.FlopCount * batch, () => Time(r50, batch, 224)),
            ((double)ResNet50.FlopCount * batch, () => r50Fused is null ? double.NaN : Time(r50Fused, batch, 224)),
        };
        var rates = cases.Select(_ => new List<double>()).ToArray();
        foreach (var c in cases)
            c.Milliseconds();
        for (int round = 0; round < Math.Max(5, rounds); round++)
        {
            for (int k = 0; k < cases.Length; k++)
            {
                int i = (k + round) % cases.Length;
                rates[i].Add(cases[i].Flops / (cases[i].Milliseconds() / 1000) / 1e9);
            }
        }

        return new PeakRates(Median(rates[0]), Median(rates[1]), Median(rates[2]), Median(rates[3]), Median(rates[4]));
    }

    private static double TimeMatmul(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var watch = Stopwatch.StartNew();
        _ = a.matmul(b);
        watch.Stop();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToList();
        int m = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    /// <summary>The geometric mean; NaN (printed as such) when every case was skipped.</summary>
    private static double GeoMean(List<double> values) => values.Count == 0 ? double.NaN : Math.Exp(values.Average(Math.Log));
}
