using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Syntax;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>Builds a zoo model the way a reference file describes it and verifies it.</summary>
public static class ModelVerification
{
    public static VerificationReport Run(ZooEntry entry, ReferenceModel reference, double tolerance = VerifierOptions.DefaultTolerance)
    {
        // Build the aux heads only when the peer's state_dict has them.
        bool withAux = entry.HasAux && reference.HasAuxEntries;
        long inChannels = reference.Input.Count > 1 ? reference.Input[1] : entry.InChannels;
        using var model = entry.Create(entry.Classes, inChannels, withAux);
        Func<Tensor, IReadOnlyDictionary<string, Tensor>>? aux = withAux && model is IInceptionDslModel generated
            ? input => generated.ForwardWithAux(input, computeAux: true).Aux
            : null;
        return Verifier.Verify(model, reference, aux, new VerifierOptions { Tolerance = tolerance });
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
