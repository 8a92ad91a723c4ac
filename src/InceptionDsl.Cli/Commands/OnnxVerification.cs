using InceptionDsl.Models;
using InceptionDsl.Onnx;
using InceptionDsl.Reference;
using static TorchSharp.torch;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// A zoo model exported with the reference's deterministic weights, run in ONNX Runtime, and
/// compared with the TorchSharp model it came from and with the reference's float64 logits.
/// </summary>
public static class OnnxVerification
{
    /// <summary>
    /// What one comparison measured; errors are max|diff| / max|logits| (the TorchSharp model's, the
    /// reference's). Both must be within the tolerance: an ONNX model equal to the reference beside a
    /// TorchSharp model that is not is a platform computing wrong answers, never a PASS.
    /// </summary>
    public sealed record Result(string Model, string ReferenceId, int Nodes, int Initializers, long Bytes,
        double RelativeToTorchSharp, double RelativeToReference, double Tolerance)
    {
        /// <summary>Whether ONNX Runtime and TorchSharp agree (false for NaN).</summary>
        public bool TorchSharpAgrees => RelativeToTorchSharp <= Tolerance;

        /// <summary>Whether ONNX Runtime equals the reference (false for NaN).</summary>
        public bool ReferenceAgrees => RelativeToReference <= Tolerance;

        public bool Passed => TorchSharpAgrees && ReferenceAgrees;

        public IEnumerable<string> ToLines()
        {
            yield return FormattableString.Invariant($"onnx: {Model} exported with the deterministic weights of '{ReferenceId}': {Nodes} nodes, {Initializers} initializers, {Bytes:N0} bytes (opset {OnnxGraphBuilder.Opset})");
            yield return FormattableString.Invariant($"onnx runtime vs TorchSharp: max rel diff {RelativeToTorchSharp:0.00e+00} (tolerance {Tolerance:0e+00}): {(TorchSharpAgrees ? "agree" : "DIFFER")}");
            yield return FormattableString.Invariant($"onnx runtime vs {ReferenceId} logits_float64: max rel diff {RelativeToReference:0.00e+00} (tolerance {Tolerance:0e+00}): {(ReferenceAgrees ? "agree" : "DIFFER")}");
            var failed = (TorchSharpAgrees, ReferenceAgrees) switch
            {
                (false, false) => "ONNX Runtime differs from both TorchSharp and the reference",
                (false, true) => "TorchSharp differs from ONNX Runtime and the reference (on this machine, float32 TorchSharp is wrong: see 'inceptiondsl doctor')",
                (true, false) => "ONNX Runtime and TorchSharp agree with each other, not with the reference",
                _ => "",
            };
            yield return Passed
                ? FormattableString.Invariant($"PASS {Model}: ONNX Runtime, TorchSharp and {ReferenceId} agree within {Tolerance:0e+00}")
                : $"FAIL {Model}: {failed}";
        }
    }

    /// <summary>Exports <paramref name="entry"/> with the reference's deterministic weights and compares (the reference must have logits).</summary>
    public static Result Run(ZooEntry entry, ReferenceModel reference, double tolerance = VerifierOptions.DefaultTolerance, OnnxRunOptions? options = null)
    {
        if (!reference.HasLogits)
            throw new InvalidOperationException($"reference '{reference.Id}' has no logits to compare with");
        long inChannels = reference.Input.Count > 1 ? reference.Input[1] : entry.InChannels;
        using var scope = NewDisposeScope();
        using var model = entry.Create(entry.Classes, inChannels, false);
        if (model is not IOnnxExportable exportable)
            throw new InvalidOperationException($"{entry.Name} was generated without its ONNX writer");
        DeterministicWeights.Fill(model);
        model.eval();
        var inputShape = reference.Input.ToArray();
        var input = DeterministicWeights.Input(inputShape);
        float[] torchLogits;
        using (no_grad())
            torchLogits = model.call(input).to_type(ScalarType.Float32).contiguous().data<float>().ToArray();

        var proto = OnnxExport.ToModelProto(exportable);
        var bytes = Google.Protobuf.MessageExtensions.ToByteArray(proto);
        using var session = new OnnxModelSession(bytes, options);
        var onnxLogits = session.Run(input.data<float>().ToArray(), inputShape.Select(d => checked((int)d)).ToArray());

        var expected = reference.LogitsFloat64!.SelectMany(r => r).ToArray();
        double absMax = reference.LogitsAbsMax!.Value;
        double torchAbsMax = torchLogits.Max(v => Math.Abs((double)v));
        return new Result(entry.Name, reference.Id, proto.Graph.Node.Count, proto.Graph.Initializer.Count, bytes.Length,
            MaxDiff(onnxLogits, torchLogits.Select(v => (double)v).ToArray()) / torchAbsMax,
            MaxDiff(onnxLogits, expected) / absMax, tolerance);
    }

    /// <summary>max |a - b|; infinite when the lengths differ or a value is NaN.</summary>
    public static double MaxDiff(float[] actual, double[] expected)
    {
        if (actual.Length != expected.Length)
            return double.PositiveInfinity;
        double max = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double diff = Math.Abs(actual[i] - expected[i]);
            max = double.IsNaN(diff) ? double.PositiveInfinity : Math.Max(max, diff);
        }

        return max;
    }
}
