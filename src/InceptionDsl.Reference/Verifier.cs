using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>Options of <see cref="Verifier.Verify"/>.</summary>
public sealed record VerifierOptions
{
    /// <summary>The default relative tolerance (the reference README calls 1e-4 safe).</summary>
    public const double DefaultTolerance = 1e-4;

    /// <summary>Relative tolerance for logits: max |diff| / reference abs max.</summary>
    public double Tolerance { get; init; } = DefaultTolerance;

    /// <summary>Fail when the state_dict order differs from the reference's.</summary>
    public bool RequireSameOrder { get; init; }

    /// <summary>Leave the reference's aux entries out; <c>null</c> decides from the module's names.</summary>
    public bool? WithoutAux { get; init; }
}

/// <summary>
/// Checks a TorchSharp module against a reference model file: state_dict names, shapes and
/// parameter count; then, when the file has logits, the float32 eval-mode logits on the
/// deterministic weights and input. Model-agnostic: it only uses the module's state_dict and
/// forward, and an optional callback for auxiliary heads.
/// </summary>
public static class Verifier
{
    // Runtime entry point: decide about libtorch's oneDNN on this CPU before the first convolution (docs/platform.md).
    static Verifier() => global::InceptionDsl.Platform.LibTorchGuard.EnsureApplied();

    /// <summary>Verifies <paramref name="module"/>. Fills its weights deterministically and leaves it in eval mode.</summary>
    /// <param name="module">The module under test; its forward maps the input to <c>[N, classes]</c> logits.</param>
    /// <param name="reference">The reference file.</param>
    /// <param name="auxOutputs">
    /// Optional: given the input, returns aux head name -> <c>[N, classes]</c> logits computed in eval mode
    /// (as the reference's <c>aux_logits_float64</c>: each head applied to the output of the block that feeds it).
    /// Called under <c>torch.no_grad()</c> after the main forward.
    /// </param>
    /// <param name="options">Tolerance and strictness; defaults when null.</param>
    public static VerificationReport Verify(
        nn.Module<Tensor, Tensor> module,
        ReferenceModel reference,
        Func<Tensor, IReadOnlyDictionary<string, Tensor>>? auxOutputs = null,
        VerifierOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(reference);
        options ??= new VerifierOptions();

        StateDictComparison comparison = StateDictComparison.Compare(module, reference, options.WithoutAux);
        var report = new VerificationReport
        {
            ModelId = reference.Id,
            StateDict = comparison,
            Tolerance = options.Tolerance,
            RequireSameOrder = options.RequireSameOrder,
        };
        if (!reference.HasLogits) return report;

        var problems = new List<string>();
        LogitsCheck? logits = null;
        var aux = new List<LogitsCheck>();
        var auxUnknown = new List<string>();
        bool? top5 = null;
        double? seconds = null;

        using (DisposeScope scope = torch.NewDisposeScope())
        {
            try
            {
                DeterministicWeights.Fill(module);
                module.eval();
                using IDisposable noGrad = torch.no_grad();
                Tensor input = DeterministicWeights.Input(reference.Input.ToArray());

                var stopwatch = Stopwatch.StartNew();
                Tensor output = module.call(input);
                seconds = stopwatch.Elapsed.TotalSeconds;

                logits = Check("logits", output, reference.LogitsFloat64!, reference.LogitsAbsMax!.Value, options.Tolerance, problems);
                if (reference.Top5Float64 is { } expectedTop5 && logits is not null)
                {
                    top5 = TopK(output, expectedTop5[0].Length).Zip(expectedTop5, (a, b) => a.SequenceEqual(b)).All(x => x);
                }

                if (auxOutputs is not null)
                {
                    IReadOnlyDictionary<string, Tensor> auxResults = auxOutputs(input);
                    foreach ((string name, Tensor value) in auxResults)
                    {
                        if (reference.AuxLogitsFloat64 is null || !reference.AuxLogitsFloat64.TryGetValue(name, out double[][]? expected))
                        {
                            auxUnknown.Add(name);
                            continue;
                        }
                        double absMax = expected.SelectMany(r => r).Select(Math.Abs).DefaultIfEmpty(0).Max();
                        if (Check(name, value, expected, absMax, options.Tolerance, problems) is { } check) aux.Add(check);
                    }
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                problems.Add(e is System.Runtime.InteropServices.ExternalException ? ErrorText.Of(e) : $"{e.GetType().Name}: {ErrorText.Of(e)}");
            }
        }

        return report with
        {
            Logits = logits,
            Aux = aux,
            AuxUnknown = auxUnknown,
            Top5Matches = top5,
            ForwardSeconds = seconds,
            Problems = problems,
        };
    }

    private static LogitsCheck? Check(string name, Tensor actual, double[][] expected, double absMax, double tolerance, List<string> problems)
    {
        long rows = expected.Length;
        long cols = rows == 0 ? 0 : expected[0].Length;
        if (actual.dim() != 2 || actual.shape[0] != rows || actual.shape[1] != cols)
        {
            problems.Add($"{name}: shape {Format.Shape(actual.shape)}, expected [{rows}, {cols}]");
            return null;
        }
        double[] values = actual.detach().cpu().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
        double maxDiff = 0;
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
            {
                double diff = Math.Abs(values[r * cols + c] - expected[r][c]);
                if (double.IsNaN(diff)) diff = double.PositiveInfinity;
                maxDiff = Math.Max(maxDiff, diff);
            }
        }
        double rel = absMax > 0 ? maxDiff / absMax : maxDiff;
        return new LogitsCheck(name, maxDiff, rel, rel <= tolerance);
    }

    private static int[][] TopK(Tensor logits, int k)
    {
        (Tensor _, Tensor indices) = logits.topk(k, dim: 1);
        long[] flat = indices.cpu().to_type(ScalarType.Int64).contiguous().data<long>().ToArray();
        long rows = logits.shape[0];
        return Enumerable.Range(0, (int)rows).Select(r => flat.Skip(r * k).Take(k).Select(v => (int)v).ToArray()).ToArray();
    }
}
