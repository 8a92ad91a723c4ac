using System;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>Top-k accuracy: a sample counts when its class is among the k largest logits.</summary>
public static class Accuracy
{
    /// <summary>How many rows of logits [N, classes] have their target [N] among the top k (k is capped at the class count).</summary>
    public static long CorrectTopK(Tensor logits, Tensor target, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), "k must be at least 1");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        int kk = (int)Math.Min(k, logits.shape[1]);
        var (_, indices) = logits.topk(kk, dim: 1);
        var hits = indices.eq(target.view(-1, 1)).any(1);
        return hits.sum().item<long>();
    }

    /// <summary>Fraction (0..1) of rows whose target is among the top k logits.</summary>
    public static double TopK(Tensor logits, Tensor target, int k) =>
        logits.shape[0] == 0 ? 0 : (double)CorrectTopK(logits, target, k) / logits.shape[0];

    /// <summary>Top-1 accuracy (0..1).</summary>
    public static double Top1(Tensor logits, Tensor target) => TopK(logits, target, 1);

    /// <summary>Top-5 accuracy (0..1).</summary>
    public static double Top5(Tensor logits, Tensor target) => TopK(logits, target, 5);
}
