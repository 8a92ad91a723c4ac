using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InceptionDsl.Reference;

/// <summary>
/// One <c>models/&lt;id&gt;.json</c> file of the shared reference fixtures: what the PyTorch peer
/// (torchvision or timm) declares and, for some models, computes on the deterministic weights.
/// Fields marked optional are absent in some files (e.g. resnet34 has no logits).
/// </summary>
public sealed class ReferenceModel
{
    /// <summary>
    /// Name prefixes of auxiliary-head entries, which <c>params_without_aux</c> leaves out
    /// (as the reference README defines: <c>aux1.*</c>, <c>aux2.*</c>, <c>AuxLogits.*</c>).
    /// </summary>
    public static IReadOnlyList<string> AuxPrefixes { get; } = ["aux1.", "aux2.", "AuxLogits."];

    /// <summary>The peer's model name (<c>timm_</c> prefix = timm).</summary>
    public required string Id { get; init; }

    /// <summary><c>torchvision</c> or <c>timm</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The input shape the numerics use, <c>[N, 3, H, W]</c>.</summary>
    public required IReadOnlyList<long> Input { get; init; }

    /// <summary>Parameter element count including auxiliary heads.</summary>
    public required long Params { get; init; }

    /// <summary>Parameter element count without <see cref="AuxPrefixes"/> entries.</summary>
    public required long ParamsWithoutAux { get; init; }

    /// <summary>Buffer element count.</summary>
    public required long Buffers { get; init; }

    /// <summary>Every parameter and buffer, in the peer's state_dict order.</summary>
    public required IReadOnlyList<StateDictEntry> StateDict { get; init; }

    /// <summary>FLOPs of one forward pass at batch 1 (multiply and add counted as 2).</summary>
    public required long FlopsBatch1 { get; init; }

    /// <summary>Optional: named modules down to depth 2 as (name, type).</summary>
    public IReadOnlyList<(string Name, string Type)> Modules { get; init; } = [];

    /// <summary>Optional: the peer's printed module tree.</summary>
    public string? Repr { get; init; }

    /// <summary>Optional: <c>[N][classes]</c> eval-mode logits in float64 on the deterministic weights and input.</summary>
    public double[][]? LogitsFloat64 { get; init; }

    /// <summary>Optional: the same computed in float32.</summary>
    public double[][]? LogitsFloat32 { get; init; }

    /// <summary>Optional: aux head name -> <c>[N][classes]</c> float64 logits.</summary>
    public IReadOnlyDictionary<string, double[][]>? AuxLogitsFloat64 { get; init; }

    /// <summary>Optional: max |logits_float64|, the denominator of relative errors.</summary>
    public double? LogitsAbsMax { get; init; }

    /// <summary>Optional: max |float32 - float64| of the peer's logits.</summary>
    public double? Float32VsFloat64MaxAbsDiff { get; init; }

    /// <summary>Optional: top-5 class indices per sample.</summary>
    public int[][]? Top5Float64 { get; init; }

    /// <summary>The file this was loaded from, if any.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Whether the file carries reference logits (and so numerics can be verified).</summary>
    public bool HasLogits => LogitsFloat64 is not null && LogitsAbsMax is not null;

    /// <summary>Whether <paramref name="name"/> belongs to an auxiliary head (see <see cref="AuxPrefixes"/>).</summary>
    public static bool IsAuxEntry(string name) => AuxPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Whether any state_dict entry belongs to an auxiliary head.</summary>
    public bool HasAuxEntries => StateDict.Any(e => IsAuxEntry(e.Name));

    /// <summary>Loads <c>models/&lt;id&gt;.json</c> from <see cref="ReferencePaths.ModelsDir"/>.</summary>
    public static ReferenceModel LoadById(string id) => Load(ReferencePaths.ModelFile(id));

    /// <summary>The ids of every model file in <see cref="ReferencePaths.ModelsDir"/>, sorted.</summary>
    public static IReadOnlyList<string> AvailableIds() =>
        Directory.GetFiles(ReferencePaths.ModelsDir, "*.json")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .OrderBy(s => s, StringComparer.Ordinal)
            .ToArray();

    /// <summary>Loads a reference model file; a malformed one throws <see cref="ReferenceFormatException"/> naming the place.</summary>
    public static ReferenceModel Load(string path)
    {
        using FileStream stream = SafeFiles.OpenRead(path);
        using JsonDocument doc = JsonRead.Parse(stream, path);
        return Parse(doc.RootElement, path);
    }

    /// <summary>Parses the JSON text of a reference model file.</summary>
    public static ReferenceModel Parse(string json)
    {
        using JsonDocument doc = JsonRead.Parse(json, "<json>");
        return Parse(doc.RootElement, null);
    }

    /// <summary>The relative difference allowed between <c>logits_abs_max</c> and the largest |logit| the file holds.</summary>
    public const double AbsMaxTolerance = 1e-6;

    /// <summary>
    /// <c>logits_abs_max</c> is the denominator of every relative error: a file must not set its own tolerance scale, so
    /// it must equal max |logits_float64| of the same file (and be a positive number).
    /// </summary>
    private static void CheckAbsMax(JsonRead read, double[][]? logits, double? absMax)
    {
        if (absMax is not { } stated)
            return;
        if (!double.IsFinite(stated) || stated <= 0)
            throw read.Error($"'logits_abs_max' must be a positive number, found {stated}");
        if (logits is null)
            return;
        double actual = logits.SelectMany(row => row).Select(Math.Abs).DefaultIfEmpty(0).Max();
        if (Math.Abs(stated - actual) > AbsMaxTolerance * Math.Max(actual, double.Epsilon))
            throw read.Error($"'logits_abs_max' is {stated:G6}, but the largest |logit| of 'logits_float64' is {actual:G6}: the tolerance scale must come from the logits themselves");
    }

    private static ReferenceModel Parse(JsonElement document, string? path)
    {
        var read = new JsonRead(path ?? "<json>");
        var root = read.Object(document, "the file");
        JsonElement Req(string name) => read.Required(root, name);
        JsonElement? Opt(string name) => read.Optional(root, name);

        var stateDict = read.Array(Req("state_dict"), "state_dict").Select((row, i) =>
        {
            var cells = read.Array(row, $"state_dict[{i}]");
            if (cells.Length != 3) throw read.Error($"'state_dict[{i}]' must be [name, shape, dtype], found {cells.Length} item(s)");
            return new StateDictEntry(read.String(cells[0], $"state_dict[{i}][0]"), read.Shape(cells[1], $"state_dict[{i}][1]"), read.String(cells[2], $"state_dict[{i}][2]"));
        }).ToArray();

        var modules = Opt("modules") is { } m
            ? read.Array(m, "modules").Select((r, i) =>
            {
                var cells = read.Array(r, $"modules[{i}]");
                if (cells.Length < 2) throw read.Error($"'modules[{i}]' must be [name, type], found {cells.Length} item(s)");
                return (read.String(cells[0], $"modules[{i}][0]"), read.String(cells[1], $"modules[{i}][1]"));
            }).ToArray()
            : [];

        var logits64 = Opt("logits_float64") is { } l64 ? read.Matrix(l64, "logits_float64") : null;
        var absMax = Opt("logits_abs_max") is { } absMaxElement ? read.Double(absMaxElement, "logits_abs_max") : (double?)null;
        CheckAbsMax(read, logits64, absMax);
        return new ReferenceModel
        {
            Id = read.String(Req("id"), "id"),
            Source = read.String(Req("source"), "source"),
            Input = read.InputShape(Req("input"), "input"),
            Params = read.Count(Req("params"), "params"),
            ParamsWithoutAux = read.Count(Req("params_without_aux"), "params_without_aux"),
            Buffers = read.Count(Req("buffers"), "buffers"),
            StateDict = stateDict,
            FlopsBatch1 = read.Count(Req("flops_batch1"), "flops_batch1"),
            Modules = modules,
            Repr = Opt("repr") is { } repr ? read.String(repr, "repr") : null,
            LogitsFloat64 = logits64,
            LogitsFloat32 = Opt("logits_float32") is { } l32 ? read.Matrix(l32, "logits_float32") : null,
            AuxLogitsFloat64 = Opt("aux_logits_float64") is { } aux ? read.MatrixMap(aux, "aux_logits_float64") : null,
            LogitsAbsMax = absMax,
            Float32VsFloat64MaxAbsDiff = Opt("float32_vs_float64_max_abs_diff") is { } d ? read.Double(d, "float32_vs_float64_max_abs_diff") : null,
            Top5Float64 = Opt("top5_float64") is { } t5 ? read.IntMatrix(t5, "top5_float64") : null,
            SourcePath = path,
        };
    }
}
