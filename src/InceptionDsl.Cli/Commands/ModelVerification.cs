using InceptionDsl.Models;
using InceptionDsl.Reference;
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
}
