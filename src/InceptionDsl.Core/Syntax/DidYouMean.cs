using System;
using System.Collections.Generic;

namespace InceptionDsl.Syntax;

/// <summary>
/// Suggests the closest known word for a misspelt one (Levenshtein distance). Bounded work whatever
/// the spec holds: only names up to <see cref="SpecLimits.MaxSuggestedNameChars"/> characters are
/// compared, with a banded distance that stops beyond <see cref="SpecLimits.MaxSuggestionDistance"/>,
/// over at most <see cref="SpecLimits.MaxSuggestionCandidates"/> candidates.
/// </summary>
public static class DidYouMean
{
    /// <summary>
    /// How many valid words a hint lists when none is close: enough for the language's longest own list
    /// (a node's 27 keys) to be shown whole; a spec's many block or node names are cut short.
    /// </summary>
    public const int MaxListed = 32;

    /// <summary>" (did you mean 'x'?)" or, with no close candidate, the list of valid words.</summary>
    public static string Hint(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        var listed = new List<string>();
        int count = 0;
        var lowered = word.Length <= SpecLimits.MaxSuggestedNameChars ? word.ToLowerInvariant() : null;
        foreach (var candidate in candidates)
        {
            if (count++ >= SpecLimits.MaxSuggestionCandidates)
                break;
            if (listed.Count < MaxListed)
                listed.Add(candidate);
            if (lowered is null || candidate.Length > SpecLimits.MaxSuggestedNameChars)
                continue;
            // A number in a name is part of what it names (relu6 is not relu, layer3 not layer2): never offered as a typo.
            if (!SameDigits(lowered, candidate))
                continue;
            int distance = BoundedDistance(lowered, candidate.ToLowerInvariant(), SpecLimits.MaxSuggestionDistance);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        if (best is not null && bestDistance <= Math.Max(1, Math.Min(SpecLimits.MaxSuggestionDistance, best.Length / 3)))
            return $" (did you mean '{best}'?)";
        if (listed.Count == 0)
            return "";
        return $" (expected one of: {string.Join(", ", listed)}{(count > listed.Count ? ", ..." : "")})";
    }

    /// <summary>
    /// As <see cref="Hint"/> for a node kind: a word that names a known operation the language does not have
    /// (elu, prelu, mish, ...) is explained, not corrected to the kind it is spelt like, since that kind
    /// computes something else.
    /// </summary>
    public static string KindHint(string word, IEnumerable<string> candidates)
    {
        var key = word.ToLowerInvariant();
        if (word.Length <= SpecLimits.MaxSuggestedNameChars && OtherOperations.TryGetValue(key, out var what))
            return $" ('{key}' is {what}, an operation the language does not have; no node kind computes it. Its activations are {string.Join(", ", ActivationCatalog.Keys)})";
        return Hint(word, candidates);
    }

    /// <summary>Operations PyTorch has under names close to a node kind's, and what each computes.</summary>
    private static readonly Dictionary<string, string> OtherOperations = new()
    {
        ["elu"] = "ELU (x, or alpha * (e^x - 1) below 0)",
        ["selu"] = "SELU (a scaled ELU)",
        ["celu"] = "CELU (a continuously differentiable ELU)",
        ["prelu"] = "PReLU (a learned slope below 0)",
        ["rrelu"] = "RReLU (a random slope below 0)",
        ["leaky_relu"] = "LeakyReLU (a fixed slope below 0)",
        ["leakyrelu"] = "LeakyReLU (a fixed slope below 0)",
        ["mish"] = "Mish (x * tanh(softplus(x)))",
        ["softplus"] = "Softplus (log(1 + e^x))",
        ["softsign"] = "Softsign (x / (1 + |x|))",
        ["hardtanh"] = "Hardtanh (x clipped to [-1, 1])",
        ["hard_tanh"] = "Hardtanh (x clipped to [-1, 1])",
        ["logsigmoid"] = "LogSigmoid (log(sigmoid(x)))",
        ["tanhshrink"] = "Tanhshrink (x - tanh(x))",
        ["softmax"] = "Softmax (normalised over a dimension)",
        ["glu"] = "GLU (a gated linear unit halving the channels)",
        ["quick_gelu"] = "QuickGELU (x * sigmoid(1.702 x), an approximation of gelu)",
    };

    /// <summary>Whether the two names hold the same digits in the same order (none in either counts as the same).</summary>
    private static bool SameDigits(string a, string b)
    {
        int i = 0, j = 0;
        while (true)
        {
            while (i < a.Length && !char.IsDigit(a[i])) i++;
            while (j < b.Length && !char.IsDigit(b[j])) j++;
            if (i == a.Length || j == b.Length)
                return i == a.Length && j == b.Length;
            if (a[i++] != b[j++])
                return false;
        }
    }

    /// <summary>
    /// The Levenshtein distance of <paramref name="a"/> and <paramref name="b"/> when it is at most
    /// <paramref name="max"/>, else <see cref="int.MaxValue"/>. Only the diagonal band of width
    /// 2 * max + 1 is computed, and the loop ends as soon as every cell of a row exceeds max.
    /// </summary>
    public static int BoundedDistance(string a, string b, int max)
    {
        if (Math.Abs(a.Length - b.Length) > max)
            return int.MaxValue;
        const int Far = int.MaxValue / 2;
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j <= max ? j : Far;
        for (int i = 1; i <= a.Length; i++)
        {
            int from = Math.Max(1, i - max), to = Math.Min(b.Length, i + max);
            current[0] = i <= max ? i : Far;
            if (from > 1)
                current[from - 1] = Far;
            int rowBest = current[0];
            for (int j = from; j <= to; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                int value = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                current[j] = value;
                rowBest = Math.Min(rowBest, value);
            }

            if (to < b.Length)
                current[to + 1] = Far;
            if (rowBest > max)
                return int.MaxValue;
            (previous, current) = (current, previous);
        }

        return previous[b.Length] <= max ? previous[b.Length] : int.MaxValue;
    }
}
