using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using InceptionDsl.Training.FineTuning;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.FineTuning;

/// <summary>
/// A user's project generates its models into a namespace of its own (<c>InceptionDslNamespace</c>), with its own copy
/// of the support types. The trainer must see the stem, the feature stages, the aux heads and the residual blocks of
/// those models exactly as it sees the zoo's: the same spec in <c>MyLab.Nets</c> trains as the zoo's model does.
/// </summary>
// Seeds torch's global generator and compares the losses that follow: no test may draw from it alongside.
[Collection(nameof(GlobalRandomCollection))]
public sealed class AnyNamespaceFineTuningTests
{
    private const string Namespace = "MyLab.Nets";

    private static readonly Lazy<Func<string, nn.Module<Tensor, Tensor>>> Lab = new(() =>
        InMemoryModels.LoadIn(Namespace, GeneratorHarness.ZooSpecs().Where(s => s.Path.EndsWith("mini_inception.inception.yaml", StringComparison.Ordinal)
            || s.Path.EndsWith("resnet.inception.yaml", StringComparison.Ordinal)).ToArray()));

    private static string Describe(IReadOnlyList<StageGroup> groups) => string.Join(" | ", groups.Select(g => g.Name + ": " + string.Join(",", g.Modules)));

    [Fact]
    public void StagesOfAModelInAnotherNamespaceEqualTheZoos()
    {
        using var lab = Lab.Value("MiniInception");
        Assert.Equal(Namespace, lab.GetType().Namespace);
        using var zoo = new InceptionDsl.Models.MiniInception();
        Assert.Equal(Describe(ModelStages.Of(zoo)), Describe(ModelStages.Of(lab)));
        Assert.Equal("stem: conv1,conv2 | inception4a: inception3a,inception4a | head: aux1,fc", Describe(ModelStages.Of(lab)));
    }

    [Fact]
    public void TheTrainingLossOfAModelInAnotherNamespaceIncludesItsAuxHeadAsTheZoosDoes()
    {
        using var lab = Lab.Value("MiniInception");
        using var zoo = new InceptionDsl.Models.MiniInception();
        using (no_grad())
            foreach (var (name, value) in lab.state_dict())
                zoo.state_dict()[name].copy_(value);
        lab.train();
        zoo.train();
        var options = new TrainingOptions { LabelSmoothing = 0.1 };
        manual_seed(7);
        using var images = randn(4, 3, 32, 32);
        using var labels = tensor(new long[] { 0, 1, 2, 3 });

        manual_seed(11);
        var (labLoss, _) = new Trainer(lab, options).TrainingStepLoss(images, labels);
        manual_seed(11);
        var (zooLoss, zooLogits) = new Trainer(zoo, options).TrainingStepLoss(images, labels);

        // The zoo's loss carries 0.3 x the aux head's loss: it differs from the main classifier's alone.
        Assert.NotEqual(nn.functional.cross_entropy(zooLogits, labels, label_smoothing: 0.1).item<float>(), zooLoss.item<float>(), 3);
        Assert.Equal(zooLoss.item<float>(), labLoss.item<float>(), 5);
    }

    [Fact]
    public void TheTrainerSetsDropPathOnEveryResidualBlockOfAModelInAnotherNamespace()
    {
        using var lab = Lab.Value("ResNet18");
        using var data = SyntheticShapes.Create(trainCount: 4, validationCount: 4, size: 16, classes: 4, seed: 5);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 4, DropPath = 0.2, MaxSteps = 1 };
        new Trainer(lab, options).Fit(data.Train, data.Validation);

        // Read through reflection: the model's own (MyLab.Nets) types, as user code would see them.
        var rates = lab.modules().Select(m => m.GetType().GetProperty("DropPathRate")).Zip(lab.modules())
            .Where(p => p.First is not null).Select(p => (double)p.First!.GetValue(p.Second)!).ToList();
        Assert.Equal(Enumerable.Range(0, 8).Select(i => 0.2 * i / 7), rates);
    }

    [Fact]
    public void WithoutTheContractsLibraryTheSupportTypesDoNotMentionItAndStillCompile()
    {
        var spec = GeneratorHarness.ZooSpecs().Single(s => s.Path.EndsWith("resnet.inception.yaml", StringComparison.Ordinal));
        var (text, output) = GeneratorHarness.RunWithTorchSharpOnly(spec);

        Assert.Contains("public interface IDropPath\n", text.Replace("\r", ""), StringComparison.Ordinal);
        Assert.DoesNotContain("InceptionDsl.Contracts", text, StringComparison.Ordinal);
        Assert.Contains("string? Citation)\n    {", text.Replace("\r", ""), StringComparison.Ordinal);
        Assert.Empty(GeneratorHarness.CompileProblems(output));

        // With it (the harness references it, as InceptionDsl.Models and a project with InceptionDsl.Runtime do), bound.
        var (run, bound) = GeneratorHarness.Run(spec);
        Assert.Empty(GeneratorHarness.CompileProblems(bound));
        var boundText = string.Concat(run.GeneratedTrees.Select(t => t.GetText().ToString()));
        Assert.Contains("public interface IInceptionDslModel : global::InceptionDsl.Contracts.IGeneratedModel", boundText, StringComparison.Ordinal);
        Assert.Contains("string? Citation) : global::InceptionDsl.Contracts.IPretrainedWeights", boundText, StringComparison.Ordinal);
    }
}
