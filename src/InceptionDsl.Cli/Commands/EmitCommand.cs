using System.ComponentModel;
using InceptionDsl.Cli.Explain;
using InceptionDsl.Emit;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// Prints the C# the source generator produces for one spec: a file per model (and, with
/// <c>--support</c>, the shared types and the model catalog), each after a <c>// file: NAME</c> line.
/// The same SpecCompiler and emitters as the build, so what it prints is what compiles. A spec with
/// errors prints its diagnostics on stderr, as <c>check</c> does, and exits with 1.
/// </summary>
public sealed class EmitCommand : Command<EmitCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SPEC>")]
        [Description("A spec file (*.inception.yaml).")]
        public string Spec { get; init; } = "";

        [CommandOption("--target <TARGET>")]
        [Description("csharp (default: the TorchSharp modules the build generates) or pytorch (one Python module per spec: an nn.Module per block and model, MODELS and create(); torch alone).")]
        public string Target { get; init; } = "csharp";

        [CommandOption("--namespace <NAMESPACE>")]
        [Description("Namespace of the generated types, as <InceptionDslNamespace> sets it in a project (default InceptionDsl.Models).")]
        public string? Namespace { get; init; }

        [CommandOption("--support")]
        [Description("Also print the types every generated model shares (InceptionDsl.Support.g.cs) and the catalog (ModelZoo.g.cs).")]
        public bool Support { get; init; }

        [CommandOption("-o|--output <PATH>")]
        [Description("Write instead of printing: into a folder (an existing one, or a path ending in /), one file per generated file; else all into one file. Prints each path, size and the classes it holds.")]
        public string? Output { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        if (settings.Target is not ("csharp" or "pytorch"))
            throw new ExplainException($"--target must be csharp or pytorch, not '{CliText.Plain(settings.Target)}'");
        var ns = settings.Namespace ?? EmitOptions.Default.Namespace;
        if (!ns.Split('.').All(part => Syntax.Identifiers.IsIdentifier(part) && !Syntax.Identifiers.IsKeyword(part)))
            throw new ExplainException($"'{ns}' is not a C# namespace");

        var result = SpecCompiler.Compile(settings.Spec, CliFiles.ReadSpec(settings.Spec));
        foreach (var diagnostic in result.Diagnostics)
            Console.Error.WriteLine(diagnostic.ToString());
        if (result.HasErrors)
            return 1;

        if (settings.Target == "pytorch")
            return EmitPyTorch(settings, result.Models.ToList());

        var options = new EmitOptions(ns);
        var files = result.Models.Select(model => (ModelEmitter.HintName(model), ModelEmitter.Emit(model, options))).ToList();
        if (settings.Support)
        {
            files.Add((SupportEmitter.HintName, SupportEmitter.Emit(options)));
            files.Add((ZooEmitter.HintName, ZooEmitter.Emit(result.Models.ToList(), options)));
        }

        if (settings.Output is { } output)
            return Write(output, files, result.Models.Select(m => m.ClassName).ToList(), ns);

        foreach (var (name, source) in files)
        {
            Console.WriteLine("// file: " + name);
            Console.Write(source);
            if (!source.EndsWith('\n'))
                Console.WriteLine();
        }

        return 0;
    }, afterProgress: false);

    /// <summary>
    /// The PyTorch module: printed, or with -o written into a folder (as the spec's module name) or to a file. A spec's
    /// models share one module, so --support and --namespace do not apply.
    /// </summary>
    private static int EmitPyTorch(Settings settings, List<Semantics.ModelIR> models)
    {
        var source = Emit.PyTorch.PyTorchEmitter.Emit(models, Path.GetFileName(settings.Spec));
        if (settings.Output is not { } output)
        {
            Console.Write(source);
            return 0;
        }

        bool folder = Directory.Exists(output) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar);
        if (folder && !Directory.Exists(output))
            throw new CliInputException(output, "cannot write: the folder does not exist");
        var path = folder ? Path.Combine(output, Emit.PyTorch.PyTorchEmitter.FileName(settings.Spec)) : output;
        CliFiles.WriteOutput(path, source);
        Console.WriteLine($"wrote {Path.GetFullPath(path)} ({new FileInfo(path).Length:N0} bytes)");
        Console.WriteLine($"{models.Count} model(s) as PyTorch modules: {string.Join(", ", models.Select(m => m.ClassName))}; create(name, num_classes, in_chans, aux)");
        return 0;
    }

    /// <summary>-o: the files into a folder, or all into one file (each whole or not at all); one line per file written.</summary>
    private static int Write(string output, List<(string Name, string Source)> files, List<string> models, string ns)
    {
        bool folder = Directory.Exists(output) || output.EndsWith('/') || output.EndsWith(Path.DirectorySeparatorChar);
        var written = folder
            ? files.Select(f => (Path: Path.Combine(output, f.Name), Text: f.Source)).ToList()
            : [(output, string.Concat(files.Select(f => "// file: " + f.Name + "\n" + f.Source + (f.Source.EndsWith('\n') ? "" : "\n"))))];
        if (folder && !Directory.Exists(output))
            throw new CliInputException(output, "cannot write: the folder does not exist");
        foreach (var (path, text) in written)
        {
            CliFiles.WriteOutput(path, text);
            Console.WriteLine($"wrote {Path.GetFullPath(path)} ({new FileInfo(path).Length:N0} bytes)");
        }

        Console.WriteLine($"{models.Count} model(s) in namespace {ns}: {string.Join(", ", models)}");
        return 0;
    }
}
