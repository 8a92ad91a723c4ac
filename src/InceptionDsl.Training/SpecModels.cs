using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using InceptionDsl.Emit;
using InceptionDsl.Semantics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using TorchSharp;

namespace InceptionDsl.Training;

/// <summary>
/// Builds a model from a spec file at run time: the generator's pipeline (SpecCompiler, SupportEmitter, ModelEmitter) and
/// Roslyn, compiled in memory with support types of its own that implement InceptionDsl.Contracts, as a project's
/// generated models do (the trainer sees it through the contracts; no zoo assembly is needed). A spec of the zoo gives
/// the same model as the build.
/// </summary>
public static class SpecModels
{
    /// <summary>A spec's models, or its error diagnostics (compiler format).</summary>
    public sealed record Result(IReadOnlyList<ModelIR> Models, IReadOnlyList<string> Errors);

    public static Result Read(string path) => Read(path, File.ReadAllText(path));

    /// <summary>A spec's models from text already read (the CLI reads it strictly as UTF-8).</summary>
    public static Result Read(string path, string text)
    {
        var result = SpecCompiler.Compile(path, text);
        var errors = result.Diagnostics.Where(d => d.Severity == InceptionDsl.Diagnostics.SpecSeverity.Error).Select(d => d.ToString()).ToList();
        return new Result(result.Models.ToList(), errors);
    }

    /// <summary>Emits and compiles the model, then builds it with (numClasses, inChannels[, aux]).</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> Create(ModelIR model, long numClasses, long inChannels, bool aux) =>
        Compile(model)(numClasses, inChannels, aux);

    /// <summary>
    /// Emits and compiles the model once and returns its constructor as (numClasses, inChannels, aux) (aux is ignored by a
    /// model without aux heads), as the build's <c>ZooEntry.Create</c>. <paramref name="libraries"/> are further assemblies
    /// the generated code may reference, as a project's references: InceptionDsl.Onnx among them gives every module its
    /// ONNX writer, as the generator does when a project references it.
    /// </summary>
    public static Func<long, long, bool, torch.nn.Module<torch.Tensor, torch.Tensor>> Compile(ModelIR model, params Assembly[] libraries)
    {
        // A namespace of its own, as a project's InceptionDslNamespace: its support types do not meet the zoo's.
        const string Namespace = "InceptionDsl.RuntimeModels";
        bool onnx = libraries.Any(a => string.Equals(a.GetName().Name, "InceptionDsl.Onnx", StringComparison.Ordinal));
        var options = new EmitOptions(Namespace, Onnx: onnx, Contracts: true);
        var trees = new[] { SupportEmitter.Emit(options), ModelEmitter.Emit(model, options) }
            .Select(code => CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest))).ToArray();
        var references = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator)
            .Where(p => p.Length > 0).Select(p => MetadataReference.CreateFromFile(p)).ToList<MetadataReference>();
        foreach (var assembly in new[] { typeof(torch).Assembly, typeof(InceptionDsl.Contracts.IGeneratedModel).Assembly }.Concat(libraries))
            if (!references.OfType<PortableExecutableReference>().Any(r => string.Equals(r.FilePath, assembly.Location, StringComparison.Ordinal)))
                references.Add(MetadataReference.CreateFromFile(assembly.Location));
        var compilation = CSharpCompilation.Create("InceptionDsl.Runtime." + model.ClassName, trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, optimizationLevel: OptimizationLevel.Release));
        using var stream = new MemoryStream();
        var emitted = compilation.Emit(stream);
        if (!emitted.Success)
            throw new InvalidOperationException("The generated C# does not compile:\n" +
                string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Take(10)));
        var loaded = Assembly.Load(stream.ToArray());
        var type = loaded.GetType(Namespace + "." + model.ClassName) ?? throw new InvalidOperationException("no class " + model.ClassName);
        var constructor = type.GetConstructors().Single();
        bool takesAux = constructor.GetParameters().Length == 3;
        return (numClasses, inChannels, aux) => (torch.nn.Module<torch.Tensor, torch.Tensor>)constructor.Invoke(
            BindingFlags.DoNotWrapExceptions, binder: null, takesAux ? new object[] { numClasses, inChannels, aux } : new object[] { numClasses, inChannels }, culture: null);
    }
}
