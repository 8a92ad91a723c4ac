using InceptionDsl.Contracts;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using InceptionDsl.Training;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Weights;

/// <summary>
/// A user's project generates its models into a namespace of its own, with its own <c>PretrainedWeights</c> record.
/// With the contracts referenced that record is an <see cref="IPretrainedWeights"/>, so InceptionDsl.Training's loader
/// takes the project's own catalogue entries and checks their SHA-256, as it does the zoo's.
/// </summary>
public sealed class AnyNamespaceWeightsTests
{
    private const string Namespace = "MyLab.Nets";

    /// <summary>
    /// GoogLeNet's spec in <see cref="Namespace"/> with two entries for the real PyTorch-written file: "Det" with the
    /// file's computed hash, "Other" with that hash's first digit changed.
    /// </summary>
    private static readonly Lazy<(System.Reflection.Assembly Assembly, string Path, string Hash)> Lab = new(() =>
    {
        var path = ReferencePaths.CheckpointFile("googlenet_det_fp16.safetensors");
        var hash = CheckpointHash.Compute(path);
        var spec = GeneratorHarness.ZooSpecs().Single(s => s.Path.EndsWith("googlenet.inception.yaml", StringComparison.Ordinal));
        var text = spec.Text.Replace("\r", "");
        const string Published = "  - name: ImageNet1K_V1\n    file: googlenet-1378be20.pth\n    sha256: 1378be20\n";
        int start = text.IndexOf(Published, StringComparison.Ordinal), end = text.IndexOf("\n\n", start, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "the GoogLeNet spec's weights entry moved");
        var facts = text[(start + Published.Length)..(end + 1)];
        string Entry(string name, string sha256) => $"  - name: {name}\n    file: {Path.GetFileName(path)}\n    sha256: {sha256}\n" + facts;
        var wrong = (hash[0] == '0' ? "1" : "0") + hash[1..];
        text = text[..start] + Entry("Det", hash) + Entry("Other", wrong) + text[(end + 1)..];
        return (InMemoryModels.AssemblyIn(Namespace, (spec.Path, text)), path, hash);
    });

    private static IPretrainedWeights Entry(string name)
    {
        var weights = Lab.Value.Assembly.GetType(Namespace + ".GoogLeNet+Weights") ?? throw new InvalidOperationException("no GoogLeNet.Weights");
        return Assert.IsAssignableFrom<IPretrainedWeights>(weights.GetProperty(name)!.GetValue(null));
    }

    private static nn.Module<Tensor, Tensor> NewGoogLeNet()
    {
        var type = Lab.Value.Assembly.GetType(Namespace + ".GoogLeNet")!;
        var constructor = type.GetConstructors().Single();
        var arguments = constructor.GetParameters().Select(p => p.Name == "auxLogits" ? false : p.DefaultValue).ToArray();
        return (nn.Module<Tensor, Tensor>)constructor.Invoke(arguments);
    }

    [Fact]
    public void AnEntryOfAModelInAnotherNamespaceLoadsThroughTheLoaderWithItsHashChecked()
    {
        var entry = Entry("Det");
        Assert.Equal(Namespace, entry.GetType().Namespace);
        Assert.Equal(("GoogLeNet", "Det", Lab.Value.Hash, false), (entry.Model, entry.Name, entry.Sha256, entry.IsSha256Prefix));
        using var model = NewGoogLeNet();
        var result = model.Load(entry, Lab.Value.Path);
        Assert.Equal(model.state_dict().Count, result.Entries);

        // The same file read without the catalogue gives the same weights.
        using var plain = NewGoogLeNet();
        CheckpointLoader.Load(plain, Lab.Value.Path);
        Assert.True(model.state_dict()["conv1.conv.weight"].allclose(plain.state_dict()["conv1.conv.weight"], rtol: 0, atol: 0));

        // Its preprocessing, as the zoo's GoogLeNet entry: mean and std 0.5, 224 cropped at 0.875.
        var preprocessing = entry.ImagePreprocessing();
        Assert.Equal((224, 224, 0.875, "bilinear"), (preprocessing.Width, preprocessing.Height, preprocessing.CropFraction!.Value, preprocessing.Interpolation));
        Assert.Equal(new[] { 0.5f, 0.5f, 0.5f }, preprocessing.Mean);
    }

    [Fact]
    public void AnEntryOfAModelInAnotherNamespaceRefusesAnotherFileBeforeReading()
    {
        var entry = Entry("Other");
        using var model = NewGoogLeNet();
        var before = model.state_dict()["conv1.conv.weight"].clone();
        var error = Assert.Throws<CheckpointHashException>(() => model.Load(entry, Lab.Value.Path));
        Assert.Equal(Lab.Value.Hash, error.Actual);
        Assert.Contains(entry.Sha256, error.Message);
        Assert.True(model.state_dict()["conv1.conv.weight"].allclose(before, rtol: 0, atol: 0), "nothing may be copied from a refused file");
    }
}
