using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Syntax;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>Builds a zoo model the way a reference file describes it and verifies it.</summary>
public static class ModelVerification
{
    /// <summary>
    /// Builds <paramref name="entry"/> with the reference's input channels and classes (<paramref name="classes"/>,
    /// or <see cref="ReferenceClasses"/>) and compares it with the reference.
    /// </summary>
    public static VerificationReport Run(ZooEntry entry, ReferenceModel reference, double tolerance = VerifierOptions.DefaultTolerance, long? classes = null)
    {
        // Build the aux heads only when the peer's state_dict has them.
        bool withAux = entry.HasAux && reference.HasAuxEntries;
        long inChannels = reference.Input.Count > 1 ? reference.Input[1] : entry.InChannels;
        using var model = entry.Create(classes ?? ReferenceClasses(entry, reference, inChannels), inChannels, withAux);
        // Through the contracts: a model compiled from a spec file at run time has its own IInceptionDslModel.
        Func<Tensor, IReadOnlyDictionary<string, Tensor>>? aux = withAux && model is InceptionDsl.Contracts.IGeneratedModel generated
            ? input => generated.ForwardHeads(input, computeAux: true).Aux
            : null;
        return Verifier.Verify(model, reference, aux, new VerifierOptions { Tolerance = tolerance });
    }

    /// <summary>
    /// The classes the reference was made for (a 10-class peer of a 1000-class spec): its logits'
    /// columns, or else the first dimension the reference gives the tensors that the spec's class
    /// count sizes (the classifier's weight and bias, found by building the model once more with
    /// one class more); the spec's own count when the reference agrees or says nothing.
    /// </summary>
    public static long ReferenceClasses(ZooEntry entry, ReferenceModel reference, long inChannels)
    {
        if (reference.LogitsFloat64 is { Length: > 0 } logits && logits[0].Length > 0)
            return logits[0].Length;
        // The build-time count equal to the reference's: the spec's classes are the reference's.
        if (entry.Parameters == reference.Params || entry.ParametersWithoutAux == reference.ParamsWithoutAux)
            return entry.Classes;
        var shapes = reference.StateDict.GroupBy(e => e.Name).ToDictionary(g => g.Key, g => g.First().Shape);
        using var probe = entry.Create(entry.Classes, inChannels, false);
        using var wider = entry.Create(entry.Classes + 1, inChannels, false);
        var widerShapes = wider.state_dict().ToDictionary(p => p.Key, p => p.Value.shape);
        var found = new HashSet<long>();
        foreach (var (name, tensor) in probe.state_dict())
        {
            // A tensor sized by the class count: its first dimension grows with one class more.
            if (!widerShapes.TryGetValue(name, out var grown) || grown.Length == 0 || tensor.shape.Length == 0 || grown[0] != tensor.shape[0] + 1)
                continue;
            if (shapes.TryGetValue(name, out var theirs) && theirs.Count == tensor.shape.Length && theirs.Count > 0
                && theirs.Skip(1).SequenceEqual(tensor.shape.Skip(1)))
                found.Add(theirs[0]);
        }

        return found.Count == 1 ? found.Single() : entry.Classes;
    }

    /// <summary>
    /// The zoo model whose spec declares <paramref name="referenceId"/> as its <c>reference:</c>, or null with a
    /// one-line reason: no model declares it (with the declared ids and the closest one), or several do.
    /// </summary>
    public static ZooEntry? FindByReference(string referenceId, IEnumerable<ZooEntry> entries, out string error)
    {
        var declared = entries.Where(e => e.Reference is not null).ToList();
        var matches = declared.Where(e => string.Equals(e.Reference, referenceId, StringComparison.Ordinal)).ToList();
        error = "";
        if (matches.Count == 1)
            return matches[0];
        if (matches.Count > 1)
        {
            error = $"reference id '{referenceId}' is declared by {string.Join(", ", matches.Select(e => e.Name))}; give --model";
            return null;
        }

        var ids = declared.Select(e => e.Reference!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var hint = DidYouMean.Hint(referenceId, ids);
        var closest = hint.StartsWith(" (did you mean", StringComparison.Ordinal) ? hint : "";
        error = $"no model declares reference id '{referenceId}'{closest}; declared ids: {string.Join(", ", ids)}; give --model to verify a model against this file";
        return null;
    }
}
