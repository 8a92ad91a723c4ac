using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Semantics;

namespace InceptionDsl.Emit;

/// <summary>
/// Emits <c>ModelZoo</c>: one entry per model of the project, with its metadata and a factory,
/// so tools can list and build every model without reflection.
/// </summary>
public static class ZooEmitter
{
    public const string HintName = "ModelZoo.g.cs";

    public static string Emit(IReadOnlyList<ModelIR> models, EmitOptions options)
    {
        var w = new CodeWriter();
        SourceHeader.Write(w, "(the catalog of this project's models)");
        w.Open($"namespace {options.Namespace}");
        w.Summary("One model of the zoo: what the spec says about it (Reference: the id of its peer reference file, null for none), and how to build it.");
        w.Line("public sealed record ZooEntry(string Name, string Spec, string? Paper, string? Peer, string? Reference, double? Top1, double? Top5,");
        w.Line("    long InChannels, long Height, long Width, long Classes, long Parameters, long ParametersWithoutAux, long Flops, bool HasAux,");
        w.Line("    global::System.Func<long, long, bool, global::TorchSharp.torch.nn.Module<global::TorchSharp.torch.Tensor, global::TorchSharp.torch.Tensor>> Create)");
        w.Line("{");
        w.Line("    /// <summary>The model's published weights (its spec's weights list: Model.Weights.All); empty when it lists none.</summary>");
        w.Line($"    public global::System.Collections.Generic.IReadOnlyList<{WeightsEmitter.RecordName}> Weights {{ get; init; }} = global::System.Array.Empty<{WeightsEmitter.RecordName}>();");
        w.Line("}");
        w.Line();
        w.Summary("Every model generated in this project, in name order.");
        w.Line($"[global::System.CodeDom.Compiler.GeneratedCode(\"InceptionDsl\", \"{EmitOptions.GeneratorVersion}\")]");
        w.Open("public static class ModelZoo");
        w.Summary("The models.");
        w.Line("public static global::System.Collections.Generic.IReadOnlyList<ZooEntry> Entries { get; } = new ZooEntry[]");
        w.Line("{");
        foreach (var model in models.OrderBy(m => m.ClassName, System.StringComparer.Ordinal))
        {
            var m = model.Metadata;
            var create = model.Aux.Count > 0
                ? $"(classes, channels, aux) => new {model.ClassName}(classes, channels, aux)"
                : $"(classes, channels, aux) => new {model.ClassName}(classes, channels)";
            w.Line($"    new ZooEntry({Str(model.ClassName)}, {Str(SpecFileName(model.SpecPath))}, {Str(m.Paper)}, {Str(m.Peer)}, {Str(ReferenceId(m.Reference))}, {Num(m.Top1)}, {Num(m.Top5)},");
            w.Line($"        {model.InChannels}, {model.Height}, {model.Width}, {model.Classes}, {model.Parameters}, {model.Parameters - model.AuxParameters}, {model.Flops}, {(model.Aux.Count > 0 ? "true" : "false")},");
            w.Line($"        {create})" + (model.Weights.Count > 0 ? $" {{ Weights = {model.ClassName}.{WeightsEmitter.ClassName}.{WeightsEmitter.AllProperty} }}," : ","));
        }

        w.Line("};");
        w.Line();
        w.Summary("The entry of a model by class name (case-insensitive), or null.");
        w.Line("public static ZooEntry? Find(string name) => global::System.Linq.Enumerable.FirstOrDefault(Entries, e => string.Equals(e.Name, name, global::System.StringComparison.OrdinalIgnoreCase));");
        w.Close();
        w.Close();
        return w.ToString();
    }

    /// <summary>The declared reference file id; <c>reference: none</c> (no peer file) is null.</summary>
    private static string? ReferenceId(string? reference) =>
        string.IsNullOrWhiteSpace(reference) || string.Equals(reference!.Trim(), "none", System.StringComparison.OrdinalIgnoreCase) ? null : reference.Trim();

    /// <summary>The spec's file name: spec text like any other, written only through <see cref="CSharpText"/>.</summary>
    internal static string SpecFileName(string path) => System.IO.Path.GetFileName(path);

    private static string Str(string? text) => CSharpText.LiteralOrNull(text);

    private static string Num(double? value) => value is null ? "null" : value.Value.ToString("R", CultureInfo.InvariantCulture);
}
