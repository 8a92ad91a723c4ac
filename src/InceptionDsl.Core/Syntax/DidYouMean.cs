using System;
using System.Collections.Generic;

namespace InceptionDsl.Syntax;

/// <summary>Suggests the closest known word for a misspelt one (Levenshtein distance).</summary>
public static class DidYouMean
{
    /// <summary>" (did you mean 'x'?)" or, with no close candidate, the list of valid words.</summary>
    public static string Hint(string word, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        var all = new List<string>();
        foreach (var candidate in candidates)
        {
            all.Add(candidate);
            int distance = Distance(word.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = candidate;
            }
        }

        if (best is not null && bestDistance <= Math.Max(1, Math.Min(3, best.Length / 3)))
            return $" (did you mean '{best}'?)";
        return all.Count == 0 ? "" : $" (expected one of: {string.Join(", ", all)})";
    }

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
            previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
