using BenchmarkDotNet.Running;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// dotnet run -c Release --project tests/InceptionDsl.Benchmarks -- --filter '*' [--job short] [--inProcess]
/// `-- --quick` runs each benchmark a few times without BenchmarkDotNet, for a fast look;
/// `-- --lsp` prints the language server's figures (keystroke to diagnostics, memory over 10,000 edits);
/// `-- --hostile` prints the bounded-work worst cases (HostileSpecBenchmarks) as a table;
/// `-- --forward [--rounds N]` times the forward of the newest zoo models against ResNet50 (ForwardBenchmarks);
/// `-- --onednn-cost [--rounds N] [--batch B] [--unsafe]` times models with libtorch's oneDNN on and off (OneDnnCostBenchmarks);
/// `-- --torchrun [--train-size N] [--batch B] [--module FILE]` prints training samples/s: torchrun ranks against threads, PyTorch against the .NET trainer (TorchRunBenchmarks).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Contains("--lsp"))
            return LspBenchmarks.Run();
        if (args.Contains("--quick"))
            return Quick.Run();
        if (args.Contains("--forward"))
            return ForwardBenchmarks.Run(args);
        if (args.Contains("--onednn-cost"))
            return OneDnnCostBenchmarks.Run(args);
        if (args.Contains("--torchrun"))
            return TorchRunBenchmarks.Run(args);
        if (args.Contains("--hostile"))
            return HostileSpecBenchmarks.PrintTable();
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
