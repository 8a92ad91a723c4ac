using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// The ResNet family (specs/resnet.inception.yaml): the generator's build-time counts for the
/// variants without a reference file, against architectures.md, and ResNet-50's FLOPs against its peer.
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
    public void WideResNet101_2CountsTheDocumentedParameters()
    {
        // architectures.md: Wide ResNet-101-2 (torchvision) 126,886,696 parameters.
        long parameters = WideResNet101_2.ParameterCount;
        Assert.Equal(126_886_696L, parameters);
    }

    [Fact]
    public void ResNet50FlopsEqualThePeer()
    {
        var reference = ReferenceModel.LoadById("resnet50");
        long flops = ResNet50.FlopCount;
        Assert.Equal(reference.FlopsBatch1, flops);
    }
}
