using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>The outcome of running a model with a checkpoint's weights against its logits file.</summary>
/// <param name="Load">What was loaded.</param>
/// <param name="MaxAbsDiff">max |logits - expected| over all samples and classes.</param>
/// <param name="LogitsAbsMax">max |expected|.</param>
/// <param name="Tolerance">The absolute tolerance applied.</param>
/// <param name="Top5Matches">Whether the top-5 indices match the file's (null when the file has none).</param>
/// <param name="ComputeType">The dtype the forward ran in (the checkpoint's values are exact in both float32 and float64).</param>
/// <param name="Float32MaxAbsDiff">max |diff| of a float32 forward, the way a program runs the model: it must be within
/// <see cref="Float32Tolerance"/> of the logits' scale too, so a platform that computes float32 wrong never passes on its float64 forward.</param>
public sealed record CheckpointVerificationReport(CheckpointLoadResult Load, double MaxAbsDiff, double LogitsAbsMax, double Tolerance, bool? Top5Matches,
    ScalarType ComputeType, double Float32MaxAbsDiff)
{
    /// <summary>The float32 forward's own bound, relative to max |expected| (float32 summation drifts about 1e-6 relative here).</summary>
    public const double Float32Tolerance = 1e-4;

    /// <summary>The float32 forward's max |diff| relative to max |expected|; NaN when it produced NaN.</summary>
    public double Float32Relative => Float32MaxAbsDiff / LogitsAbsMax;

    /// <summary>Whether the float32 forward is within <see cref="Float32Tolerance"/> (false for NaN).</summary>
    public bool Float32Passed => Float32Relative <= Float32Tolerance;

    /// <summary>Whether the logits are within tolerance, and the float32 forward within its own.</summary>
    public bool Passed => MaxAbsDiff <= Tolerance && Float32Passed;

    /// <summary>Readable lines; the last starts with PASS or FAIL.</summary>
    public IEnumerable<string> ToLines()
    {
        yield return $"weights: {Path.GetFileName(Load.Path)} ({Load.Format}, {Load.Entries} entries, dtypes {string.Join("/", Load.DTypes)} -> float32)";
        yield return FormattableString.Invariant($"float32 forward: max|diff| {Float32MaxAbsDiff:E3} (relative {Float32Relative:E2}, tolerance {Float32Tolerance:0e+00} relative): {(Float32Passed ? "right" : "WRONG")}");
        if (Top5Matches is not null)
            yield return $"top-5 indices: {(Top5Matches.Value ? "match" : "differ")}";
        var status = Passed ? "PASS" : "FAIL";
        var float32 = Float32Passed || ComputeType == ScalarType.Float32 ? "" : "; the float32 forward is wrong";
        yield return FormattableString.Invariant($"{status} logits ({ComputeType}) max|diff| {MaxAbsDiff:E3} (tolerance {Tolerance:G3} absolute; logits_abs_max {LogitsAbsMax:G4}, relative {MaxAbsDiff / LogitsAbsMax:G3}){float32}");
    }
}

/// <summary>
/// Loads a PyTorch checkpoint into a model (<see cref="CheckpointLoader"/>), runs the deterministic
/// input in eval mode and float32, and compares with a <c>*.logits.json</c> file.
/// </summary>
public static class CheckpointVerification
{
    // Runtime entry point: decide about libtorch's oneDNN on this CPU before the first convolution (docs/platform.md).
    static CheckpointVerification() => global::InceptionDsl.Platform.LibTorchGuard.EnsureApplied();

    /// <summary>The checkpoints README's bound: max |diff| under 1e-5.</summary>
    public const double DefaultTolerance = 1e-5;

    /// <summary>The logits file beside a checkpoint: <c>name.safetensors</c> / <c>name.pt</c> -&gt; <c>name.logits.json</c>.</summary>
    public static string DefaultLogitsPath(string weightsPath) =>
        Path.Combine(Path.GetDirectoryName(weightsPath) ?? ".", Path.GetFileNameWithoutExtension(weightsPath) + ".logits.json");

    /// <summary>Whether the file holds entries under any of the given module prefixes (e.g. aux heads).</summary>
    public static bool HasEntriesUnder(string weightsPath, IEnumerable<string> prefixes)
    {
        var file = CheckpointLoader.Read(weightsPath);
        try
        {
            var list = prefixes.Select(p => p + ".").ToList();
            return file.Keys.Any(k => list.Any(p => k.StartsWith(p, StringComparison.Ordinal)));
        }
        finally
        {
            foreach (var tensor in file.Values)
                tensor.Dispose();
        }
    }

    /// <summary>
    /// Loads <paramref name="weightsPath"/> into <paramref name="model"/> (float32) and compares its
    /// logits: a float32 forward for information, then the forward in <paramref name="computeType"/>
    /// decides (float64 by default: the logits file is float64 of the checkpoint's exact values, and
    /// float32 summation alone drifts by about 1e-5 here). The model is left in float32.
    /// </summary>
    public static CheckpointVerificationReport Verify(nn.Module<Tensor, Tensor> model, string weightsPath, CheckpointLogits expected,
        double tolerance = DefaultTolerance, ScalarType computeType = ScalarType.Float64)
    {
        var load = CheckpointLoader.Load(model, weightsPath);
        model.eval();
        var (diff32, _, _) = Run(model, expected, ScalarType.Float32);
        if (computeType == ScalarType.Float32)
        {
            var (_, absMax32, top32) = Run(model, expected, ScalarType.Float32);
            return new CheckpointVerificationReport(load, diff32, absMax32, tolerance, top32, computeType, diff32);
        }

        model.to(computeType);
        try
        {
            var (diff, absMax, top5) = Run(model, expected, computeType);
            return new CheckpointVerificationReport(load, diff, absMax, tolerance, top5, computeType, diff32);
        }
        finally
        {
            model.to(ScalarType.Float32);
        }
    }

    private static (double MaxDiff, double AbsMax, bool? Top5) Run(nn.Module<Tensor, Tensor> model, CheckpointLogits expected, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        using var mode = no_grad();
        var input = DeterministicWeights.Input(expected.Input.ToArray()).to_type(dtype);
        var logits = model.forward(input).to_type(ScalarType.Float64).contiguous();
        var actual = logits.data<double>().ToArray();
        long classes = logits.shape[1];
        double maxDiff = 0, absMax = 0;
        bool? top5 = expected.Top5Float64 is null ? null : true;
        for (int n = 0; n < expected.LogitsFloat64.Length; n++)
        {
            var row = expected.LogitsFloat64[n];
            if (row.Length != classes)
                throw new InvalidDataException($"The logits file has {row.Length} classes, the model {classes}.");
            for (int c = 0; c < row.Length; c++)
            {
                maxDiff = Math.Max(maxDiff, Math.Abs(actual[n * classes + c] - row[c]));
                absMax = Math.Max(absMax, Math.Abs(row[c]));
            }

            if (expected.Top5Float64 is { } t5)
            {
                var ours = Enumerable.Range(0, (int)classes).OrderByDescending(c => actual[n * classes + c]).Take(5).ToArray();
                if (!ours.SequenceEqual(t5[n]))
                    top5 = false;
            }
        }

        return (maxDiff, absMax, top5);
    }
}
