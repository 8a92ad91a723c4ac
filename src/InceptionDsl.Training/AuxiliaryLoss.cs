using System;
using System.Collections.Generic;
using InceptionDsl.Models;
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
/// ones declared in the spec (<c>aux: [{ weight: 0.3 }]</c>, exposed as <see cref="IInceptionDslModel.AuxHeads"/>).
/// </summary>
public static class AuxiliaryLoss
{
    /// <summary>The weight of an aux head whose spec gives none.</summary>
    public const double DefaultWeight = 0.3;

    /// <summary>Cross-entropy of logits [N, classes] against class indices [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor target) => nn.functional.cross_entropy(logits, target);

    /// <summary>Combines the outputs of <see cref="IInceptionDslModel.ForwardWithAux"/> with the model's declared weights.</summary>
    public static TrainingLoss Compute(IInceptionDslModel model, InceptionDslOutput output, Tensor target, Func<Tensor, Tensor, Tensor>? criterion = null)
        => Compute(output, target, model.AuxHeads, criterion);

    /// <summary>
    /// Combines main logits and aux outputs: total = criterion(logits) + sum_i weight_i x criterion(aux_i). Heads that
    /// were not computed (eval mode, or built without aux) simply do not contribute.
    /// </summary>
    public static TrainingLoss Compute(InceptionDslOutput output, Tensor target, IReadOnlyList<AuxHeadInfo> heads, Func<Tensor, Tensor, Tensor>? criterion = null)
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
