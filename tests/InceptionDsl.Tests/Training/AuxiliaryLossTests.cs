using InceptionDsl.Models;
using InceptionDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Training;

/// <summary>The training loss of models with aux heads, eval mode without them, and the top-k helpers.</summary>
public sealed class AuxiliaryLossTests
{
    /// <summary>Cross-entropy by hand: mean over rows of logsumexp(row) - row[target].</summary>
    private static double HandCrossEntropy(Tensor logits, long[] target)
    {
        var rows = logits.detach().to_type(ScalarType.Float64).data<double>().ToArray();
        int classes = (int)logits.shape[1];
        double sum = 0;
        for (int i = 0; i < target.Length; i++)
        {
            var row = rows.Skip(i * classes).Take(classes).ToArray();
            double max = row.Max();
            double logSumExp = max + Math.Log(row.Sum(v => Math.Exp(v - max)));
            sum += logSumExp - row[target[i]];
        }
        return sum / target.Length;
    }

    [Fact]
    public void GoogLeNetTotalLossIsMainPlusPointThreeTimesEachAuxLoss()
    {
        manual_seed(1);
        using var model = new GoogLeNet(numClasses: 10);
        model.train();
        var labels = new long[] { 3, 7 };
        using var input = randn(2, 3, 64, 64);
        using var target = tensor(labels);
        var output = model.ForwardWithAux(input);

        Assert.Equal(new[] { "aux1", "aux2" }, output.Aux.Keys.Order());
        Assert.All(model.AuxHeads, h => Assert.Equal(0.3, h.LossWeight));
        var loss = AuxiliaryLoss.Compute(model, output, target);

        double main = HandCrossEntropy(output.Logits, labels);
        double aux1 = HandCrossEntropy(output.Aux["aux1"], labels);
        double aux2 = HandCrossEntropy(output.Aux["aux2"], labels);
        Assert.Equal(main, loss.Main.item<float>(), 4);
        Assert.Equal(aux1, loss.Aux["aux1"].Loss.item<float>(), 4);
        Assert.Equal(aux2, loss.Aux["aux2"].Loss.item<float>(), 4);
        Assert.Equal(main + 0.3 * aux1 + 0.3 * aux2, loss.Total.item<float>(), 4);
        // The aux terms are not negligible here, so the check above would catch a wrong weight.
        Assert.True(aux1 > 1 && aux2 > 1);
    }

    [Fact]
    public void MiniInceptionUsesTheWeightDeclaredInItsSpec()
    {
        manual_seed(2);
        using var model = new MiniInception();
        model.train();
        var info = Assert.Single(model.AuxHeads);
        Assert.Equal(("aux1", "inception3a", 0.3), (info.Name, info.At, info.LossWeight));
        var labels = new long[] { 0, 1, 2, 9 };
        using var input = randn(4, 3, 32, 32);
        using var target = tensor(labels);
        var output = model.ForwardWithAux(input);
        var loss = AuxiliaryLoss.Compute(model, output, target);
        double expected = HandCrossEntropy(output.Logits, labels) + 0.3 * HandCrossEntropy(output.Aux["aux1"], labels);
        Assert.Equal(expected, loss.Total.item<float>(), 4);
    }

    [Fact]
    public void EvalModeComputesOnlyTheLogits()
    {
        manual_seed(3);
        using var model = new GoogLeNet(numClasses: 10);
        using var input = randn(2, 3, 64, 64);
        model.eval();
        Tensor reference;
        using (no_grad()) reference = model.forward(input);

        // Break every aux head: a 1x1x1x1 kernel cannot read the trunk's channels, so running a head throws.
        foreach (var (name, module) in model.named_modules())
            if (name.StartsWith("aux", StringComparison.Ordinal) && module is TorchSharp.Modules.Conv2d conv)
                conv.weight = new TorchSharp.Modules.Parameter(zeros(1, 1, 1, 1));

        using (no_grad())
        {
            var output = model.ForwardWithAux(input);
            Assert.Empty(output.Aux);
            Assert.Equal(new long[] { 2, 10 }, output.Logits.shape);
            Assert.True(output.Logits.allclose(reference));
            Assert.True(model.forward(input).allclose(reference));
            using var target = tensor(new long[] { 1, 2 });
            var loss = AuxiliaryLoss.Compute(model, output, target);
            Assert.Empty(loss.Aux);
            Assert.Equal(loss.Main.item<float>(), loss.Total.item<float>());
        }

        // The same heads do run in training mode (by default) and when asked for in eval mode.
        Assert.ThrowsAny<Exception>(() => model.ForwardWithAux(input, computeAux: true));
        model.train();
        Assert.ThrowsAny<Exception>(() => model.ForwardWithAux(input));
    }

    [Fact]
    public void TopKAccuracyCountsTargetsAmongTheKLargestLogits()
    {
        using var logits = tensor(new float[,]
        {
            { 0.1f, 0.9f, 0.0f, 0.0f, 0.0f, 0.0f },  // target 1: top-1
            { 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.0f },  // target 4: 5th largest -> top-5 only
            { 0.5f, 0.4f, 0.3f, 0.2f, 0.1f, 0.0f },  // target 5: smallest -> neither
            { 0.0f, 0.0f, 0.2f, 0.9f, 0.0f, 0.0f },  // target 2: 2nd -> top-5
        });
        using var target = tensor(new long[] { 1, 4, 5, 2 });
        Assert.Equal(0.25, Accuracy.Top1(logits, target));
        Assert.Equal(0.75, Accuracy.Top5(logits, target));
        Assert.Equal(2, Accuracy.CorrectTopK(logits, target, 2));
        Assert.Equal(4, Accuracy.CorrectTopK(logits, target, 10)); // k capped at the class count
    }
}
