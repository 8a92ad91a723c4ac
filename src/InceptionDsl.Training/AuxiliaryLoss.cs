using System;
using System.Collections.Generic;
using InceptionDsl.Contracts;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// The loss of one batch: the total that is back-propagated, the main classifier's loss, and each auxiliary head's
/// unweighted loss with the weight it entered the total with.
/// </summary>
public sealed record TrainingLoss(Tensor Total, Tensor Main, IReadOnlyDictionary<string, AuxLossTerm> Aux);

/// <summary>One auxiliary head's term of the total loss: its unweighted loss and its weight.</summary>
public sealed record AuxLossTerm(Tensor Loss, double Weight);

/// <summary>
/// GoogLeNet / Inception-v3 training loss: main loss + sum over aux heads of weight x aux loss, the weights being the
/// ones declared in the spec (<c>aux: [{ weight: 0.3 }]</c>, exposed as <see cref="GeneratedModelInfo.AuxHeads"/>). It takes the
/// contracts' types, so a generated model of any namespace fits: its <c>InceptionDslOutput</c> is a <see cref="ModelOutput"/>.
/// </summary>
public static class AuxiliaryLoss
{
    /// <summary>The weight of an aux head whose spec gives none.</summary>
    public const double DefaultWeight = 0.3;

    /// <summary>Cross-entropy of logits [N, classes] against class indices [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target) => nn.functional.cross_entropy(logits, target);

    /// <summary>Combines the outputs of a generated model's <c>ForwardWithAux</c> with the model's declared weights.</summary>
    public static TrainingLoss Compute(IGeneratedModel model, ModelOutput output, Tensor target, Func<Tensor, Tensor, Tensor>? criterion = null)
        => Compute(output, target, model.ModelInfo.AuxHeads, criterion);

    /// <summary>
    /// Combines main logits and aux outputs: total = criterion(logits) + sum_i weight_i x criterion(aux_i). Heads that
    /// were not computed (eval mode, or built without aux) simply do not contribute.
    /// </summary>
    public static TrainingLoss Compute(ModelOutput output, Tensor target, IReadOnlyList<AuxHead> heads, Func<Tensor, Tensor, Tensor>? criterion = null)
    {
        criterion ??= CrossEntropy;
        var main = criterion(output.Logits, target);
        var total = main;
        var terms = new Dictionary<string, AuxLossTerm>();
        foreach (var pair in output.Aux)
        {
            double weight = DefaultWeight;
            bool found = false;
            foreach (var head in heads)
                if (head.Name == pair.Key) { weight = head.LossWeight; found = true; break; }
            if (!found)
                throw new ArgumentException($"The output has an aux head '{pair.Key}' the model does not declare.", nameof(output));
            var loss = criterion(pair.Value, target);
            terms.Add(pair.Key, new AuxLossTerm(loss, weight));
            total = total + loss * weight;
        }
        return new TrainingLoss(total, main, terms);
    }
}
