using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// The ResNet family (specs/resnet.inception.yaml): the generator's build-time counts for the
/// variants without a reference file, against architectures.md or torchvision's weight tables, and ResNet-50's FLOPs against its peer.
/// </summary>
public sealed class ResNetFamilyTests
{
    [Fact]
    public void ResNeXt101_32x8dCountsTheDocumentedParameters()
    {
        // architectures.md: ResNeXt-101 32x8d (torchvision) 88,791,336 parameters.
        long parameters = ResNeXt101_32x8d.ParameterCount;
        Assert.Equal(88_791_336L, parameters);
    }

    [Fact]
    public void ResNeXt101_64x4dCountsTorchvisionsParametersAndMacs()
    {
        // torchvision ResNeXt101_64X4D_Weights.IMAGENET1K_V1: num_params 83,455,272, _ops 15.46 GFLOPS
        // (torchvision counts multiply-adds); the generator counts a multiply-add as 2 FLOPs.
        long parameters = ResNeXt101_64x4d.ParameterCount;
        Assert.Equal(83_455_272L, parameters);
        double gmacs = ResNeXt101_64x4d.FlopCount / 2.0 / 1e9;
        Assert.Equal(15.46, Math.Round(gmacs, 2));
    }

    [Fact]
    public void WideResNet101_2CountsTheDocumentedParameters()
    {
        // architectures.md: Wide ResNet-101-2 (torchvision) 126,886,696 parameters.
        long parameters = WideResNet101_2.ParameterCount;
        Assert.Equal(126_886_696L, parameters);
    }

    [ReferenceFact]
    public void ResNet50FlopsEqualThePeer()
    {
        var reference = ReferenceModel.LoadById("resnet50");
        long flops = ResNet50.FlopCount;
        Assert.Equal(reference.FlopsBatch1, flops);
    }
}
