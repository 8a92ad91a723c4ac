using InceptionDsl.Models;
using InceptionDsl.Training;
using InceptionDsl.Training.FineTuning;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>Stages, freezing, parameter groups, drop-path and label smoothing, derived from the generated models.</summary>
public sealed class FineTuningControlTests
{
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static string Describe(IReadOnlyList<StageGroup> groups) => string.Join(" | ", groups.Select(g => g.Name + ": " + string.Join(",", g.Modules)));

    [Fact]
    public void StagesComeFromTheStemTheFeatureStagesAndTheHead()
    {
        using var resnet = new ResNet18();
        Assert.Equal("stem: conv1,bn1 | layer1: layer1 | layer2: layer2 | layer3: layer3 | layer4: layer4 | head: fc", Describe(ModelStages.Of(resnet)));
        using var googlenet = new GoogLeNet();
        Assert.Equal("stem: conv1,conv2,conv3 | inception3b: inception3a,inception3b | inception4e: inception4a,inception4b,inception4c,inception4d,inception4e"
            + " | inception5b: inception5a,inception5b | head: aux1,aux2,fc", Describe(ModelStages.Of(googlenet)));
        using var mini = new MiniInception();
        Assert.Equal("stem: conv1,conv2 | inception4a: inception3a,inception4a | head: aux1,fc", Describe(ModelStages.Of(mini)));
    }

    [Fact]
    public void LayerDecayScalesEachStageAndNormsAndBiasesDoNotDecay()
    {
        using var resnet = new ResNet18();
        var stages = ModelStages.Of(resnet);
        var groups = ParameterGroups.Build(resnet, stages, weightDecay: 0.05, layerDecay: 0.5);
        Assert.Equal(resnet.parameters().Count(), groups.Sum(g => g.Parameters.Count));
        foreach (var group in groups)
        {
            var stage = stages.Single(s => group.Name.StartsWith(s.Name + " ", StringComparison.Ordinal));
            Assert.Equal(Math.Pow(0.5, stages.Count - 1 - stage.Index), group.LearningRateScale);
            bool noDecay = group.Name.EndsWith("(no decay)", StringComparison.Ordinal);
            Assert.Equal(noDecay ? 0 : 0.05, group.WeightDecay);
            Assert.All(group.Parameters, p => Assert.Equal(noDecay, p.dim() < 2));
        }

        Assert.Equal(1.0, groups.Single(g => g.Name == "head (decay)").LearningRateScale);
        Assert.Equal(1.0 / 32, groups.Single(g => g.Name == "stem (decay)").LearningRateScale);
    }

    [Fact]
    public void AFrozenStemKeepsItsWeightsAndBatchNormStatisticsWhileTheRestTrains()
    {
        using var data = SyntheticShapes.Create(trainCount: 64, validationCount: 16, size: 16, classes: 4, seed: 3);
        manual_seed(0);
        using var model = new MiniInception(numClasses: 4);
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var options = new TrainingOptions { Epochs = 1, BatchSize = 32, Optimizer = "sgd", LearningRate = 0.05, Schedule = "constant", FreezeStages = 1 };
        new Trainer(model, options).Fit(data.Train, data.Validation);

        var stem = ModelStages.Of(model)[0];
        foreach (var (key, value) in model.state_dict())
        {
            bool same = Same(value, before[key]);
            if (stem.Owns(key))
                Assert.True(same, $"{key} changed in the frozen stem");
            else if (key.EndsWith("running_mean", StringComparison.Ordinal) || key.StartsWith("inception4a.branch1.conv.weight", StringComparison.Ordinal) || key == "fc.weight")
                Assert.False(same, $"{key} did not train");
        }

        Assert.All(model.named_parameters().Where(p => stem.Owns(p.name)), p => Assert.False(p.parameter.requires_grad));
    }

    [Fact]
    public void DropPathRisesLinearlyDropsWholeBranchesInTrainingAndIsOffInEval()
    {
        using var resnet = new ResNet18();
        Assert.Equal(8, InceptionDslDropPath.SetLinear(resnet, 0.2));
        var rates = resnet.modules().OfType<IDropPath>().Select(b => b.DropPathRate).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 0.2 * i / 7), rates);

        // A block whose branch is always dropped passes its (non-negative) input through the shortcut and final ReLU.
        var block = resnet.named_modules().Single(m => m.name == "layer1.0").module;
        var forward = (nn.Module<Tensor, Tensor>)block;
        ((IDropPath)block).DropPathRate = 1 - 1e-12;
        using var x = rand(2, 64, 8, 8);
        block.train();
        Assert.True(Same(forward.forward(x), x));
        block.eval();
        Assert.False(Same(forward.forward(x), x));

        // Per sample: zeros or 1 / keep.
        manual_seed(1);
        using var ones = torch.ones(4000, 1, 1, 1);
        using var dropped = InceptionDslDropPath.Apply(ones, 0.25, training: true);
        var values = dropped.flatten().data<float>().ToArray();
        Assert.All(values, v => Assert.True(v == 0 || Math.Abs(v - 1 / 0.75f) < 1e-6));
        Assert.InRange(values.Count(v => v == 0) / 4000.0, 0.22, 0.28);
        Assert.Same(ones, InceptionDslDropPath.Apply(ones, 0.25, training: false));
    }

    [Fact]
    public void LabelSmoothingMixesCrossEntropyWithTheMeanNegativeLogProbability()
    {
        using var model = nn.Sequential(nn.Flatten(), nn.Linear(4, 3));
        var images = randn(5, 1, 2, 2);
        var labels = tensor(new long[] { 0, 1, 2, 1, 0 });
        var trainer = new Trainer(model, new TrainingOptions { LabelSmoothing = 0.2 });
        var (loss, logits) = trainer.TrainingStepLoss(images, labels);
        var logp = logits.log_softmax(1);
        var nll = -logp.gather(1, labels.view(-1, 1)).mean();
        var uniform = -logp.mean();
        Assert.Equal((0.8 * nll + 0.2 * uniform).item<float>(), loss.item<float>(), 1e-5f);
    }
}
