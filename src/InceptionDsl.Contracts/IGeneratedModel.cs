using System.Collections.Generic;
using TorchSharp;

namespace InceptionDsl.Contracts;

/// <summary>
/// A model the InceptionDsl generator wrote, seen through types that do not depend on the namespace it was generated
/// into: what training and fine-tuning need of it. The generated <c>IInceptionDslModel</c> of every namespace extends
/// this interface when the compilation references this assembly, so every generated model implements it.
/// </summary>
public interface IGeneratedModel
{
    /// <summary>What the spec says of the model: its class name, auxiliary heads and feature stages.</summary>
    GeneratedModelInfo ModelInfo { get; }

    /// <summary>The logits and, when <paramref name="computeAux"/> is true, the outputs of the aux heads that are built.</summary>
    ModelOutput ForwardHeads(torch.Tensor input, bool computeAux);
}

/// <summary>A generated model's facts from its spec.</summary>
/// <param name="Name">The model's class name (the checkpoint records it).</param>
/// <param name="AuxHeads">The auxiliary heads the spec declares, built or not.</param>
/// <param name="FeatureStages">The last node at each stride 4, 8, 16, 32 the model reaches (timm's features_only).</param>
public sealed record GeneratedModelInfo(string Name, IReadOnlyList<AuxHead> AuxHeads, IReadOnlyList<FeatureStage> FeatureStages);

/// <summary>An auxiliary classifier: its name, the trunk node it reads, and the weight of its loss in training.</summary>
public record AuxHead(string Name, string At, double LossWeight);

/// <summary>A feature stage known at build time: its name, stride (input size / map size) and channels.</summary>
public record FeatureStage(string Stage, int Stride, long Channels);

/// <summary>A forward's main logits and the aux heads' logits by name (empty when they were not computed).</summary>
public record ModelOutput(torch.Tensor Logits, IReadOnlyDictionary<string, torch.Tensor> Aux);
