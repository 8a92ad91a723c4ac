using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Text;

namespace InceptionDsl.Reference;

/// <summary>The relative error of one set of logits against the reference.</summary>
/// <param name="Name"><c>logits</c> or an aux head name such as <c>aux1</c>.</param>
/// <param name="MaxAbsDiff">max |actual - reference float64|.</param>
/// <param name="RelativeError"><see cref="MaxAbsDiff"/> divided by the reference's abs max.</param>
/// <param name="Passed">Whether <see cref="RelativeError"/> is within the tolerance (and the shape matched).</param>
public sealed record LogitsCheck(string Name, double MaxAbsDiff, double RelativeError, bool Passed);

/// <summary>What <see cref="Verifier.Verify"/> found.</summary>
public sealed record VerificationReport
{
    /// <summary>The reference model's id.</summary>
    public required string ModelId { get; init; }

    /// <summary>The state_dict comparison.</summary>
    public required StateDictComparison StateDict { get; init; }

    /// <summary>Relative tolerance used for logits.</summary>
    public required double Tolerance { get; init; }

    /// <summary>Whether a different state_dict order fails the verification.</summary>
    public required bool RequireSameOrder { get; init; }

    /// <summary>The main logits check; <c>null</c> when the reference file has no logits or the forward failed.</summary>
    public LogitsCheck? Logits { get; init; }

    /// <summary>The aux head checks, for the names the callback returned that the reference has.</summary>
    public IReadOnlyList<LogitsCheck> Aux { get; init; } = [];

    /// <summary>Aux names the callback returned that the reference file lacks (not checked).</summary>
    public IReadOnlyList<string> AuxUnknown { get; init; } = [];

    /// <summary>Whether the top-5 classes equal the reference's (null when not checked).</summary>
    public bool? Top5Matches { get; init; }

    /// <summary>Seconds spent in the float32 forward pass (null when not run).</summary>
    public double? ForwardSeconds { get; init; }

    /// <summary>Failures other than listed differences (e.g. an exception in forward).</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    /// <summary>Whether everything checked passed.</summary>
    public bool Passed =>
        Problems.Count == 0
        && StateDict.NamesAndShapesMatch
        && (!RequireSameOrder || StateDict.OrderMatches)
        && (Logits?.Passed ?? true)
        && Aux.All(a => a.Passed);

    /// <summary>
    /// Human-readable lines. The last line starts with <c>PASS</c> or <c>FAIL</c> and gives the
    /// entry count, parameter count and relative errors, e.g.
    /// <c>PASS googlenet: 344 entries, params 13004888, logits rel 3.1e-07, aux1 rel 2.0e-07</c>.
    /// </summary>
    public IReadOnlyList<string> ToLines()
    {
        var lines = new List<string>(StateDict.ToLines());
        if (Logits is { } l)
        {
            lines.Add($"logits: max |diff| {Format.Sci(l.MaxAbsDiff)}, rel {Format.Sci(l.RelativeError)} (tolerance {Format.Sci(Tolerance)})"
                + (l.Passed ? "" : "  FAIL"));
        }
        foreach (LogitsCheck a in Aux)
        {
            lines.Add($"{a.Name}: max |diff| {Format.Sci(a.MaxAbsDiff)}, rel {Format.Sci(a.RelativeError)}" + (a.Passed ? "" : "  FAIL"));
        }
        foreach (string u in AuxUnknown) lines.Add($"aux '{ShownText.Of(u)}' not in the reference file: not checked");
        if (Top5Matches is { } t5) lines.Add($"top-5 classes {(t5 ? "match" : "differ")}");
        if (ForwardSeconds is { } s) lines.Add($"forward: {s:0.000} s");
        foreach (string p in Problems) lines.Add($"problem: {ShownText.Of(p)}");
        lines.Add(Summary());
        return lines;
    }

    /// <summary>The one-line verdict (the last line of <see cref="ToLines"/>).</summary>
    public string Summary()
    {
        var parts = new List<string>
        {
            $"{StateDict.ModuleEntries} entries",
            $"params {StateDict.ModuleParams}",
        };
        if (StateDict.Missing.Count > 0) parts.Add($"{StateDict.Missing.Count} missing");
        if (StateDict.Unexpected.Count > 0) parts.Add($"{StateDict.Unexpected.Count} unexpected");
        if (StateDict.Mismatched.Count > 0) parts.Add($"{StateDict.Mismatched.Count} mis-shaped");
        if (!StateDict.ParamsMatch) parts.Add($"reference params {StateDict.ReferenceParams}");
        if (!StateDict.OrderMatches) parts.Add($"order differs at {StateDict.OrderDifferenceCount}");
        if (Logits is { } l) parts.Add($"logits rel {Format.Sci(l.RelativeError)}");
        else if (Problems.Count == 0) parts.Add("no reference logits");
        foreach (LogitsCheck a in Aux) parts.Add($"{a.Name} rel {Format.Sci(a.RelativeError)}");
        if (Problems.Count > 0) parts.Add($"{Problems.Count} problem(s)");
        // The id comes from the reference file: escaped, so it cannot end the line and forge another verdict.
        return $"{(Passed ? "PASS" : "FAIL")} {ShownText.Of(ModelId)}: {string.Join(", ", parts)}";
    }

    /// <inheritdoc />
    public override string ToString() => string.Join("\n", ToLines());
}
