using System.Diagnostics;
using System.Globalization;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// <c>bench MODEL|FILE</c>: the inference speed of one model, a zoo name or a user's spec compiled now, with no
/// hand-written peer: generated, fused (BatchNorm folded, channels-last), fused NCHW and ONNX Runtime, interleaved
/// rounds at each batch, medians, and the GFLOP/s the build-time FLOP count gives.
/// </summary>
public static class BenchModel
{
    /// <summary>Resolves the model as every command does; an unknown name or a bad spec is one line and exit code 1.</summary>
    public static int Run(string source, string? model, int[] batches, int rounds, OnnxRunOptions onnxOptions, bool channelsLast = true)
    {
        ZooEntry entry;
        try
        {
            entry = RunnableModels.Resolve(source, model);
        }
        catch (Exception error) when (error is Explain.ExplainException or CliInputException)
        {
            Console.Error.WriteLine("error: " + error.Message);
            return 1;
        }

        return Run(entry, batches, rounds, onnxOptions, channelsLast);
    }

    /// <summary>Times <paramref name="entry"/>; without <paramref name="channelsLast"/> (where oneDNN would crash on it) the fused channels-last variant is left out.</summary>
    public static int Run(ZooEntry entry, int[] batches, int rounds, OnnxRunOptions onnxOptions, bool channelsLast = true)
    {
        Console.WriteLine($"bench {entry.Name} ({entry.Spec}): {rounds} rounds, batches {string.Join(",", batches)}, {get_num_threads()} threads, float32 CPU, eval + inference_mode");
        manual_seed(0);
        var variants = new List<(string Name, nn.Module<Tensor, Tensor>? Module, OnnxModelSession? Session)>();
        var generated = entry.Create(entry.Classes, entry.InChannels, false);
        variants.Add(("generated", generated, null));
        foreach (var (name, lastChannels) in new[] { ("fused", true), ("fused-nchw", false) }.Where(v => channelsLast || !v.Item2))
        {
            var module = entry.Create(entry.Classes, entry.InChannels, false);
            module.load_state_dict(generated.state_dict());
            Fuse(module, lastChannels);
            variants.Add((name, module, null));
        }

        if (generated is IOnnxExportable exportable)
        {
            generated.eval();
            variants.Add(("onnx", null, new OnnxModelSession(OnnxExport.ToBytes(exportable), onnxOptions)));
        }

        foreach (var v in variants)
            v.Module?.eval();
        var times = new Dictionary<(string, int), List<double>>();
        using (inference_mode())
        {
            foreach (var batch in batches)
                foreach (var v in variants)
                    Time(v.Module, v.Session, entry, batch);
            for (int round = 0; round < rounds; round++)
            {
                foreach (var batch in batches)
                {
                    // Interleaved, the order rotating every round.
                    for (int k = 0; k < variants.Count; k++)
                    {
                        var v = variants[(k + round) % variants.Count];
                        if (!times.TryGetValue((v.Name, batch), out var list))
                            times[(v.Name, batch)] = list = [];
                        list.Add(Time(v.Module, v.Session, entry, batch));
                    }
                }

                Console.Error.WriteLine($"round {round + 1}/{rounds} done");
            }
        }

        Console.WriteLine();
        Console.WriteLine("variant      batch   median ms   GFLOP/s");
        foreach (var batch in batches)
        {
            foreach (var v in variants)
            {
                var list = times[(v.Name, batch)];
                list.Sort();
                double ms = list[list.Count / 2];
                double gflops = entry.Flops * (double)batch / (ms / 1000) / 1e9;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Name,-12} {batch,5}  {ms,10:F1}  {gflops,8:F1}"));
            }
        }

        foreach (var v in variants)
        {
            v.Module?.Dispose();
            v.Session?.Dispose();
        }

        return 0;
    }

    /// <summary>
    /// Fuse(channelsLast) of the model's generated IInceptionDslModel. A model compiled from a spec file at run time has
    /// that interface in a namespace of its own (not this tool's InceptionDsl.Models), so it is found by name.
    /// </summary>
    private static void Fuse(nn.Module<Tensor, Tensor> model, bool channelsLast)
    {
        var fuse = model.GetType().GetInterface("IInceptionDslModel")?.GetMethod("Fuse", [typeof(bool)])
            ?? throw new InvalidOperationException($"{model.GetType().Name} has no generated Fuse(bool)");
        fuse.Invoke(model, System.Reflection.BindingFlags.DoNotWrapExceptions, null, [channelsLast], null);
    }

    private static double Time(nn.Module<Tensor, Tensor>? module, OnnxModelSession? session, ZooEntry entry, int batch)
    {
        using var scope = NewDisposeScope();
        var input = randn(batch, entry.InChannels, entry.Height, entry.Width);
        var watch = Stopwatch.StartNew();
        if (session is not null)
            _ = session.Run(input);
        else
            module!.forward(input);
        return watch.Elapsed.TotalMilliseconds;
    }
}
