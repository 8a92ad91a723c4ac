using System;
using System.Collections.Generic;
using System.Linq;
using InceptionDsl.Expressions;
using InceptionDsl.Semantics;

namespace InceptionDsl.Emit;

/// <summary>
/// The inference and feature-extraction parts of a generated model: which BatchNorms fold into the
/// convolution before them, the head-less build (numClasses = 0), and ForwardFeatures' stages.
/// </summary>
internal static class InferenceEmitter
{
    public const string FoldedFlag = "_bnFolded";
    private const string Tensor = "global::TorchSharp.torch.Tensor";

    /// <summary>Writes <c>FoldBatchNorms</c> for a class with fold pairs (the class implements IFoldsBatchNorm).</summary>
    public static void WriteFoldMethod(CodeWriter w, IReadOnlyList<(string Conv, string Bn)> pairs, string ns)
    {
        w.Line("// Set by FoldBatchNorms: forward skips the BatchNorms folded into the convolutions before them.");
        w.Line($"private bool {FoldedFlag};");
        w.Line();
        w.Summary("Inference only: folds " + string.Join(", ", pairs.Select(p => p.Bn.TrimStart('@') + " into " + p.Conv.TrimStart('@'))) + "; forward then skips them.");
        w.Open("public void FoldBatchNorms()");
        w.Line($"if (this.{FoldedFlag}) return;");
        foreach (var (conv, bn) in pairs)
            w.Line($"global::{ns}.InceptionDslInference.FoldBatchNorm(this.{conv}, this.{bn});");
        w.Line($"this.{FoldedFlag} = true;");
        w.Close();
        w.Line();
    }

    /// <summary>
    /// The head-less build: the classifier (the last top-level Linear sized by numClasses) is built
    /// only when numClasses &gt; 0; with numClasses = 0 forward returns the pooled features.
    /// </summary>
    public static ClassIR WithOptionalClassifier(ClassIR body, out string? classifier)
    {
        classifier = null;
        // A set of the candidate fields, not a scan of the members per step: 20,000 layers stay linear.
        var classifiers = new HashSet<string>(body.Members.Where(m => m.Module is LinearNode linear && m.Condition is null && linear.Out.Names().Contains("numClasses")).Select(m => m.Field));
        var step = body.Forward.OfType<ModuleStep>().LastOrDefault(s => !s.Optional && classifiers.Contains(s.Field));
        if (step is null)
            return body;
        classifier = step.Field;
        var members = body.Members.Select(m => m.Field == step.Field ? m with { Condition = new SymBinary(">", new SymName("numClasses"), new SymLiteral(new IntValue(0))) } : m).ToEquatableArray();
        var forward = body.Forward.Select(s => ReferenceEquals(s, step) ? step with { Optional = true } : s).ToEquatableArray();
        return body with { Members = members, Forward = forward };
    }

    /// <summary>Writes FeatureStages and ForwardFeatures: the trunk up to the stride-32 stage, capturing each stage's map.</summary>
    public static void WriteForwardFeatures(CodeWriter w, ModelIR model, ClassIR body, string ns, IReadOnlyCollection<string> folded)
    {
        var stages = FeatureStages.Of(model);
        var infos = string.Join(", ", stages.Select(s => $"new global::{ns}.FeatureInfo({CSharpText.Literal(s.Node.Stage)}, {s.Stride}, {s.Node.Channels})"));
        w.Line($"private static readonly global::{ns}.FeatureInfo[] FeatureInfos = {(stages.Count == 0 ? $"global::System.Array.Empty<global::{ns}.FeatureInfo>()" : $"new[] {{ {infos} }}")};");
        w.Line();
        w.Line("/// <inheritdoc />");
        w.Line($"public global::System.Collections.Generic.IReadOnlyList<global::{ns}.FeatureInfo> FeatureStages => FeatureInfos;");
        w.Line();
        w.Summary("Feature maps at strides " + (stages.Count == 0 ? "(none)" : string.Join(", ", stages.Select(s => $"{s.Stride} ({s.Node.Stage})"))) + "; the head is not run.");
        w.Open($"public global::System.Collections.Generic.IReadOnlyList<global::{ns}.FeatureMap> ForwardFeatures({Tensor} input)");
        w.Line("using var scope = global::TorchSharp.torch.NewDisposeScope();");
        w.Line($"var features = new global::System.Collections.Generic.List<global::{ns}.FeatureMap>({stages.Count});");
        if (stages.Count == 0)
        {
            w.Line("_ = input;");
            w.Line("return features;");
            w.Close();
            return;
        }

        var writer = new ForwardWriter(w, new[] { "input", "scope", "features", "x", "childName", "child" }, body.Members, new Dictionary<SymExpr, string>(), folded: folded);
        int lastStep = stages[stages.Count - 1].Node.StepIndex;
        bool declared = false;
        var pending = new List<StepIR>();
        void Flush()
        {
            if (pending.Count == 0)
                return;
            writer.Write(pending, declared ? "x" : "input", "x", declareOutput: !declared);
            declared = true;
            pending.Clear();
        }

        for (int i = 0; i <= lastStep; i++)
        {
            var step = body.Forward[i];
            if (step is AuxTapStep)
                continue;
            var here = stages.Where(s => s.Node.StepIndex == i).ToList();
            if (here.Any(s => s.Node.Child is not null))
            {
                Flush();
                if (!declared)
                    w.Line("var x = input;");
                declared = true;
                var module = (ModuleStep)step;
                w.Comment(step.Comment + " (child by child, to read the stages inside it)");
                w.Open($"foreach (var (childName, child) in this.{module.Field}.named_children())");
                w.Line($"x = ((global::TorchSharp.torch.nn.Module<{Tensor}, {Tensor}>)child).forward(x);");
                foreach (var stage in here)
                    w.Line($"if (childName == {CSharpText.Literal(stage.Node.Child!)}) features.Add(new global::{ns}.FeatureMap({CSharpText.Literal(stage.Node.Stage)}, {stage.Stride}, scope.MoveToOuter(x)));");
                if (i == lastStep)
                    w.Line($"if (childName == {CSharpText.Literal(here[here.Count - 1].Node.Child!)}) break;");
                w.Close();
                continue;
            }

            pending.Add(step);
            if (here.Count > 0)
            {
                Flush();
                foreach (var stage in here)
                    w.Line($"features.Add(new global::{ns}.FeatureMap({CSharpText.Literal(stage.Node.Stage)}, {stage.Stride}, scope.MoveToOuter(x)));");
            }
        }

        w.Line("return features;");
        w.Close();
    }
}
