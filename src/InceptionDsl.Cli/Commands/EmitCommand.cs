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

        [CommandOption("--namespace <NAMESPACE>")]
        [Description("Namespace of the generated types, as <InceptionDslNamespace> sets it in a project (default InceptionDsl.Models).")]
        public string? Namespace { get; init; }

        [CommandOption("--support")]
        [Description("Also print the types every generated model shares (InceptionDsl.Support.g.cs) and the catalog (ModelZoo.g.cs).")]
        public bool Support { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => ExplainRun.Guard(() =>
    {
        var ns = settings.Namespace ?? EmitOptions.Default.Namespace;
        if (!ns.Split('.').All(part => Syntax.Identifiers.IsIdentifier(part) && !Syntax.Identifiers.IsKeyword(part)))
            throw new ExplainException($"'{ns}' is not a C# namespace");

        var result = SpecCompiler.Compile(settings.Spec, CliFiles.ReadSpec(settings.Spec));
        foreach (var diagnostic in result.Diagnostics)
            Console.Error.WriteLine(diagnostic.ToString());
        if (result.HasErrors)
            return 1;

        var options = new EmitOptions(ns);
        var files = result.Models.Select(model => (ModelEmitter.HintName(model), ModelEmitter.Emit(model, options))).ToList();
        if (settings.Support)
        {
            files.Add((SupportEmitter.HintName, SupportEmitter.Emit(options)));
            files.Add((ZooEmitter.HintName, ZooEmitter.Emit(result.Models.ToList(), options)));
        }

        foreach (var (name, source) in files)
        {
            Console.WriteLine("// file: " + name);
            Console.Write(source);
            if (!source.EndsWith('\n'))
                Console.WriteLine();
        }

        return 0;
    }, afterProgress: false);
}
