using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// timm's ResNet-D, SE-ResNet, SE-ResNeXt-D and legacy Xception (issue 15): the generator's build-time
/// parameter and FLOP counts against the peers' structure files (numerics are checked elsewhere),
/// and each model's forward on a small input, which exercises the gate, the average-pool shortcut
/// and the construction-time seq members.
/// </summary>
public sealed class TimmAttentionModelTests
{
    public static TheoryData<string, long, long> Counts() => new()
    {
        { "timm_resnet50d", ResNet50D.ParameterCount, ResNet50D.FlopCount },
        { "timm_seresnet50", SEResNet50.ParameterCount, SEResNet50.FlopCount },
        { "timm_seresnext26d_32x4d", SEResNeXt26D_32x4d.ParameterCount, SEResNeXt26D_32x4d.FlopCount },
        { "timm_legacy_xception", LegacyXception.ParameterCount, LegacyXception.FlopCount },
    };

    [Theory]
    [MemberData(nameof(Counts))]
    public void BuildTimeCountsEqualThePeer(string referenceId, long parameters, long flops)
    {
        var reference = ReferenceModel.LoadById(referenceId);
        Assert.Equal(reference.Params, parameters);
        Assert.Equal(reference.FlopsBatch1, flops);
    }

    [Fact]
    public void SmallForwardPassesRunWithTheRightShapes()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        var input = TorchSharp.torch.randn(1, 3, 64, 64);
        using var seResNeXt = new SEResNeXt26D_32x4d(numClasses: 7);
        seResNeXt.eval();
        Assert.Equal(new long[] { 1, 7 }, seResNeXt.forward(input).shape);
        using var xception = new LegacyXception(numClasses: 7);
        xception.eval();
        Assert.Equal(new long[] { 1, 7 }, xception.forward(TorchSharp.torch.randn(1, 3, 71, 71)).shape);
    }
}
