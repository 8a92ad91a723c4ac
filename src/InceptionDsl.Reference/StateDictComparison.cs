using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>An entry present on both sides whose shape or dtype differs.</summary>
/// <param name="Name">The state_dict key.</param>
/// <param name="Expected">The reference's shape and dtype, e.g. <c>[64, 3, 7, 7] float32</c>.</param>
/// <param name="Actual">The module's shape and dtype.</param>
public sealed record EntryMismatch(string Name, string Expected, string Actual);

/// <summary>
/// Compares a module's state_dict (names, order, shapes, dtypes) and parameter count with a
/// <see cref="ReferenceModel"/>. When the module has no auxiliary-head entries but the reference
/// has (see <see cref="ReferenceModel.AuxPrefixes"/>), the reference's aux entries are left out
/// and the parameter count is compared with <see cref="ReferenceModel.ParamsWithoutAux"/>.
/// <para>
/// Order: PyTorch lists each module's parameters and buffers together, module by module, while
/// TorchSharp's state_dict lists all parameters first and then all buffers. So when the parameter
/// names are known, the order is compared separately among parameters and among buffers
/// (<see cref="OrderDifferenceCount"/>); <see cref="ExactOrderMatches"/> tells whether the raw
/// sequences are identical.
/// </para>
/// </summary>
public sealed class StateDictComparison
{
    /// <summary>At most this many order differences are listed.</summary>
    public const int MaxOrderDifferencesListed = 10;

    /// <summary>The reference model's id.</summary>
    public required string ModelId { get; init; }

    /// <summary>Whether the reference's auxiliary-head entries were left out.</summary>
    public required bool WithoutAux { get; init; }

    /// <summary>Entries of the module's state_dict.</summary>
    public required int ModuleEntries { get; init; }

    /// <summary>Entries of the reference state_dict that were compared (aux left out if <see cref="WithoutAux"/>).</summary>
    public required int ReferenceEntries { get; init; }

    /// <summary>Reference names the module lacks, in reference order.</summary>
    public required IReadOnlyList<string> Missing { get; init; }

    /// <summary>Module names the reference lacks, in module order.</summary>
    public required IReadOnlyList<string> Unexpected { get; init; }

    /// <summary>Common names whose shape or dtype differs.</summary>
    public required IReadOnlyList<EntryMismatch> Mismatched { get; init; }

    /// <summary>
    /// Number of positions at which the common names appear in a different order (compared among
    /// parameters and among buffers separately when the parameter names are known).
    /// </summary>
    public required int OrderDifferenceCount { get; init; }

    /// <summary>The first few order differences, as <c>#k: expected A, got B</c>.</summary>
    public required IReadOnlyList<string> OrderDifferences { get; init; }

    /// <summary>Sum of numel over <c>module.parameters()</c>.</summary>
    public required long ModuleParams { get; init; }

    /// <summary><see cref="ReferenceModel.Params"/> or <see cref="ReferenceModel.ParamsWithoutAux"/>.</summary>
    public required long ReferenceParams { get; init; }

    /// <summary>Whether the parameter counts are equal.</summary>
    public bool ParamsMatch => ModuleParams == ReferenceParams;

    /// <summary>Whether the common names appear in the same order (see <see cref="OrderDifferenceCount"/>).</summary>
    public bool OrderMatches => OrderDifferenceCount == 0;

    /// <summary>Whether the raw state_dict sequences are identical (never, for TorchSharp modules with buffers).</summary>
    public required bool ExactOrderMatches { get; init; }

    /// <summary>Same names, shapes, dtypes and parameter count (order not required).</summary>
    public bool NamesAndShapesMatch => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0 && ParamsMatch;

    /// <summary>Compares <paramref name="module"/> with <paramref name="reference"/>.</summary>
    /// <param name="module">The module under test.</param>
    /// <param name="reference">The reference file.</param>
    /// <param name="withoutAux">Leave the reference's aux entries out; <c>null</c> decides from the module's names.</param>
    public static StateDictComparison Compare(nn.Module module, ReferenceModel reference, bool? withoutAux = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(reference);

        var actual = module.state_dict()
            .Select(kv => (Name: kv.Key, Shape: kv.Value.shape, DType: DTypeName(kv.Value.dtype)))
            .ToList();
        var parameters = module.named_parameters().ToList();
        long moduleParams = parameters.Sum(p => p.parameter.numel());
        var parameterNames = new HashSet<string>(parameters.Select(p => p.name), StringComparer.Ordinal);
        return Compare(actual, moduleParams, reference, withoutAux, parameterNames);
    }

    /// <summary>Compares a plain list of (name, shape, dtype) with <paramref name="reference"/>.</summary>
    /// <param name="actual">The module's state_dict rows in its order.</param>
    /// <param name="moduleParams">The module's parameter element count.</param>
    /// <param name="reference">The reference file.</param>
    /// <param name="withoutAux">Leave the reference's aux entries out; <c>null</c> decides from the names.</param>
    /// <param name="parameterNames">The module's parameter names: order is then compared per kind; <c>null</c> compares the raw order.</param>
    public static StateDictComparison Compare(
        IReadOnlyList<(string Name, long[] Shape, string DType)> actual,
        long moduleParams,
        ReferenceModel reference,
        bool? withoutAux = null,
        IReadOnlySet<string>? parameterNames = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(reference);

        bool dropAux = withoutAux
            ?? (reference.HasAuxEntries && !actual.Any(a => ReferenceModel.IsAuxEntry(a.Name)));
        var expected = reference.StateDict.Where(e => !dropAux || !ReferenceModel.IsAuxEntry(e.Name)).ToList();

        var expectedByName = expected.ToDictionary(e => e.Name, StringComparer.Ordinal);
        var actualByName = new Dictionary<string, (long[] Shape, string DType)>(StringComparer.Ordinal);
        foreach (var a in actual) actualByName[a.Name] = (a.Shape, a.DType);

        var missing = expected.Where(e => !actualByName.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var unexpected = actual.Where(a => !expectedByName.ContainsKey(a.Name)).Select(a => a.Name).ToList();

        var mismatched = new List<EntryMismatch>();
        foreach (var a in actual)
        {
            if (!expectedByName.TryGetValue(a.Name, out StateDictEntry? e)) continue;
            bool sameShape = e.Shape.SequenceEqual(a.Shape);
            if (!sameShape || e.DType != a.DType)
            {
                mismatched.Add(new EntryMismatch(a.Name, $"{e.ShapeText} {e.DType}", $"{Format.Shape(a.Shape)} {a.DType}"));
            }
        }

        var commonExpected = expected.Where(e => actualByName.ContainsKey(e.Name)).Select(e => e.Name).ToList();
        var commonActual = actual.Where(a => expectedByName.ContainsKey(a.Name)).Select(a => a.Name).Distinct().ToList();
        bool exactOrder = commonExpected.SequenceEqual(commonActual, StringComparer.Ordinal);
        var order = new List<string>();
        int orderCount = 0;
        if (parameterNames is null)
        {
            orderCount = CompareOrder(commonExpected, commonActual, "", order);
        }
        else
        {
            orderCount += CompareOrder(
                commonExpected.Where(parameterNames.Contains).ToList(),
                commonActual.Where(parameterNames.Contains).ToList(), "parameter ", order);
            orderCount += CompareOrder(
                commonExpected.Where(n => !parameterNames.Contains(n)).ToList(),
                commonActual.Where(n => !parameterNames.Contains(n)).ToList(), "buffer ", order);
        }

        return new StateDictComparison
        {
            ModelId = reference.Id,
            WithoutAux = dropAux,
            ModuleEntries = actual.Count,
            ReferenceEntries = expected.Count,
            Missing = missing,
            Unexpected = unexpected,
            Mismatched = mismatched,
            OrderDifferenceCount = orderCount,
            ExactOrderMatches = exactOrder,
            OrderDifferences = order,
            ModuleParams = moduleParams,
            ReferenceParams = dropAux ? reference.ParamsWithoutAux : reference.Params,
        };
    }

    private static int CompareOrder(List<string> expected, List<string> actual, string kind, List<string> listed)
    {
        int count = 0;
        for (int k = 0; k < Math.Min(expected.Count, actual.Count); k++)
        {
            if (expected[k] == actual[k]) continue;
            count++;
            if (listed.Count < MaxOrderDifferencesListed)
                listed.Add($"{kind}#{k}: expected {expected[k]}, got {actual[k]}");
        }
        return count;
    }

    /// <summary>Human-readable lines: counts, then each difference.</summary>
    public IEnumerable<string> ToLines()
    {
        yield return $"state_dict {ShownText.Of(ModelId)}: module {ModuleEntries} entries, reference {ReferenceEntries}"
            + (WithoutAux ? " (aux heads left out)" : "");
        yield return $"params: module {ModuleParams}, reference {ReferenceParams}" + (ParamsMatch ? "" : "  MISMATCH");
        // Names come from the files: shown escaped, and at most MaxListed of each kind (the counts say how many in all).
        foreach (var line in Listed("missing", Missing.Select(ShownText.Of))) yield return line;
        foreach (var line in Listed("unexpected", Unexpected.Select(ShownText.Of))) yield return line;
        foreach (var line in Listed("mismatch", Mismatched.Select(m => $"{ShownText.Of(m.Name)}: expected {ShownText.Of(m.Expected)}, got {ShownText.Of(m.Actual)}"))) yield return line;
        if (OrderDifferenceCount > 0)
        {
            yield return $"order: {OrderDifferenceCount} positions differ";
            foreach (string o in OrderDifferences) yield return $"order: {ShownText.Of(o)}";
        }
    }

    /// <summary>How many names of each kind <see cref="ToLines"/> lists.</summary>
    public const int MaxListed = CheckpointMismatchException.MaxListed;

    private static IEnumerable<string> Listed(string kind, IEnumerable<string> items)
    {
        int count = 0;
        foreach (var item in items)
        {
            if (++count <= MaxListed)
                yield return $"{kind}: {item}";
        }

        if (count > MaxListed)
            yield return $"{kind}: ... and {count - MaxListed} more ({count} in all)";
    }

    /// <summary>PyTorch's dtype name for a TorchSharp scalar type (<c>float32</c>, <c>int64</c>, ...).</summary>
    public static string DTypeName(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "uint8",
        ScalarType.Bool => "bool",
        ScalarType.ComplexFloat32 => "complex64",
        ScalarType.ComplexFloat64 => "complex128",
        _ => dtype.ToString().ToLowerInvariant(),
    };
}
