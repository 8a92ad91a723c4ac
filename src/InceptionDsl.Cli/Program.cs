using InceptionDsl.Cli;
using InceptionDsl.Cli.Commands;
using Spectre.Console.Cli;

// --version before the command parser, which knows only commands: tool, generator and TorchSharp versions.
if (args is ["--version"])
{
    foreach (var line in ToolVersions.Lines())
        Console.WriteLine(line);
    return 0;
}

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("inceptiondsl");
    // A misspelt option is an error, not silently ignored; an unhandled exception is one line, never a stack trace.
    config.UseStrictParsing();
    config.SetExceptionHandler((exception, _) => CliErrors.Report(exception));
    // Model commands decide whether libtorch's oneDNN can be trusted here before the first convolution.
    config.SetInterceptor(new ModelCommandGuard());
    config.AddCommand<ZooCommand>("zoo").WithDescription("Build every model of the zoo, run a forward pass, and print parameters, output shape and time.");
    config.AddCommand<WeightsCommand>("weights").WithDescription("List the published weights the specs declare: file, SHA-256, preprocessing, reported accuracy, license, source.");
    config.AddCommand<VerifyCommand>("verify").WithDescription("Compare a generated model with a peer reference file: state_dict names and shapes, parameters, logits.");
    config.AddCommand<TrainCommand>("train").WithDescription("Train a model on the generated shapes dataset or an image folder: aux-head loss, SGD/Adam, checkpoints, top-1/top-5.");
    config.AddCommand<BenchCommand>("bench").WithDescription("Inference speed: generated vs TorchVision's hand-written models, unfused and fused, and GFLOP/s against a matrix product.");
    config.AddCommand<ExportCommand>("export").WithDescription("Write a model as an ONNX file (opset 17), with its own, a checkpoint's or the reference weights.");
    config.AddCommand<CheckCommand>("check").WithDescription("Check spec files and print their diagnostics as the build does.");
    config.AddCommand<SummaryCommand>("summary").WithDescription("Per-layer table of a model from its spec: output shapes, parameters, FLOPs, stage subtotals.");
    config.AddCommand<ExplainCommand>("explain").WithDescription("A readable walk through a model's architecture: stem, blocks and branches, reductions, residuals, heads.");
    config.AddCommand<DiffCommand>("diff").WithDescription("Structural differences between two models or specs, with parameter and FLOP deltas per stage.");
    config.AddCommand<DiagramCommand>("diagram").WithDescription("Draw a model's block graph as SVG (or Graphviz DOT, Mermaid).");
    config.AddCommand<EmitCommand>("emit").WithDescription("Print the C# the source generator produces for a spec.");
    config.AddCommand<LspCommand>("lsp").WithDescription("Language server for editors on stdin/stdout: diagnostics, hover with shapes, inlay hints, navigation (docs/editors.md).");
    config.AddCommand<DoctorCommand>("doctor").WithDescription("Check that this machine computes float32 convolutions right: the CPU's cache topology, the oneDNN decision, the known-fault convolutions.");
    config.AddCommand<SchemaCommand>("schema").WithDescription("Write the JSON Schema of the spec format (specs/inceptiondsl.schema.json).");
});
return app.Run(args);
