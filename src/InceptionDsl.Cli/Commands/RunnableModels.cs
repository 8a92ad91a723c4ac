using InceptionDsl.Cli.Explain;
using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Training;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// The model a command that runs models (verify, export, zoo, bench, train) was given, as a <see cref="ZooEntry"/>: a
/// zoo class name is the model compiled into this tool; a spec file (anywhere) is compiled now by the build's pipeline
/// (<see cref="ModelResolver"/> picks the model, <see cref="SpecModels"/> emits and compiles it with its ONNX writer), so
/// a user's own spec is verified, exported, timed and trained as a zoo model is, without touching this repository.
/// </summary>
public static class RunnableModels
{
    /// <summary>
    /// The model <paramref name="modelOrFile"/> names (see <see cref="ModelResolver.Resolve"/> for <paramref name="model"/>
    /// and <paramref name="referenceId"/>). An unknown name or a bad spec is an <see cref="ExplainException"/>.
    /// </summary>
    public static ZooEntry Resolve(string modelOrFile, string? model = null, string? referenceId = null)
    {
        if (ModelResolver.IsSpecFile(modelOrFile))
            return FromSpec(ModelResolver.Resolve(modelOrFile, model, referenceId));
        if (!string.IsNullOrWhiteSpace(model) && !string.Equals(model, modelOrFile, StringComparison.OrdinalIgnoreCase))
            throw new ExplainException($"--model {model} picks a model in a spec file; '{modelOrFile}' is a model name, not a spec file");
        return ModelZoo.Find(modelOrFile) ?? throw new ExplainException(Unknown(modelOrFile));
    }

    /// <summary>Every model of a spec file, or the one <paramref name="model"/> names.</summary>
    public static IReadOnlyList<ZooEntry> FromFile(string file, string? model = null)
    {
        var models = ModelResolver.FromFile(file);
        var chosen = string.IsNullOrWhiteSpace(model) ? models : new[] { ModelResolver.Choose(file, models, model) };
        return chosen.Select(FromSpec).ToList();
    }

    /// <summary>"unknown model 'X'" with the zoo's names and the hint that a spec file is taken too.</summary>
    public static string Unknown(string name) =>
        $"unknown model '{name}': not a zoo model (known: {string.Join(", ", ModelZoo.Entries.Select(e => e.Name))}) and not a spec file (*.inception.yaml)";

    /// <summary>
    /// A spec's model as a zoo entry: the facts the build counts (parameters, FLOPs, input) from the IR, and a factory
    /// that compiles the generated C# on first use only (summary-like callers never pay for Roslyn).
    /// </summary>
    public static ZooEntry FromSpec(ResolvedModel resolved)
    {
        var ir = resolved.Model;
        var compiled = new Lazy<Func<long, long, bool, TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>>>(
            () => SpecModels.Compile(ir, typeof(IOnnxExportable).Assembly));
        var m = ir.Metadata;
        var reference = string.IsNullOrWhiteSpace(m.Reference) || string.Equals(m.Reference.Trim(), "none", StringComparison.OrdinalIgnoreCase) ? null : m.Reference.Trim();
        return new ZooEntry(ir.ClassName, Path.GetFileName(resolved.SpecPath), m.Paper, m.Peer, reference, m.Top1, m.Top5,
            ir.InChannels, ir.Height, ir.Width, ir.Classes, ir.Parameters, ir.Parameters - ir.AuxParameters, ir.Flops, ir.Aux.Count > 0,
            (classes, channels, aux) => compiled.Value(classes, channels, aux));
    }
}
