using InceptionDsl.Cli.Commands;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>
/// Every zoo model with a reference file with logits, exported with the deterministic weights and
/// run in ONNX Runtime (all graph optimisations on): its logits equal the TorchSharp model's and
/// the reference's float64 logits (PyTorch's).
/// </summary>
public sealed class OnnxReferenceTests
{
    [Theory]
    [InlineData("googlenet")]
    [InlineData("inception_v3")]
    [InlineData("timm_inception_v4")]
    [InlineData("resnet18")]
    [InlineData("resnet50")]
    public void OnnxRuntimeLogitsEqualTorchSharpsAndTheReferences(string id)
    {
        var reference = ReferenceModel.LoadById(id);
        Assert.True(reference.HasLogits, $"{id} has no logits");
        var entry = ModelVerification.FindByReference(id, ModelZoo.Entries, out var error) ?? throw new InvalidOperationException(error);

        var result = OnnxVerification.Run(entry, reference);

        Assert.True(result.RelativeToTorchSharp <= 1e-5, $"{entry.Name}: ONNX Runtime vs TorchSharp {result.RelativeToTorchSharp:E2}");
        Assert.True(result.RelativeToReference <= 1e-4, $"{entry.Name}: ONNX Runtime vs {id} {result.RelativeToReference:E2}");
        Assert.True(result.Passed);
    }

    [Fact]
    public void AWrongReferenceFails()
    {
        // The same comparison must be able to fail: ResNet18 exported against ResNet50's logits.
        var reference = ReferenceModel.LoadById("resnet50");
        var result = OnnxVerification.Run(ModelZoo.Find("ResNet18")!, reference);
        Assert.False(result.Passed);
        Assert.StartsWith("FAIL", result.ToLines().Last(), StringComparison.Ordinal);
    }
}
