using InceptionDsl.Cli.Commands;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// Each generated model against its peer's reference file: state_dict names, shapes and order
/// (per kind, as TorchSharp lists parameters before buffers), parameter count, and logits under
/// the deterministic weights to 1e-4 relative (aux heads too, where the file has them).
/// </summary>
public sealed class ZooVerificationTests
{
    /// <summary>Model class and reference id: every pair in the zoo that has a peer file.</summary>
    public static TheoryData<string, string> Peers() => new()
    {
        { "GoogLeNet", "googlenet" },
        { "InceptionV3", "inception_v3" },
        { "InceptionV3", "timm_inception_v3" },
        { "InceptionV4", "timm_inception_v4" },
        { "InceptionResNetV2", "timm_inception_resnet_v2" },
        { "ResNet18", "resnet18" },
        { "ResNet34", "resnet34" },
        { "ResNet50", "resnet50" },
        { "ResNet101", "resnet101" },
        { "ResNet152", "resnet152" },
        { "ResNeXt50_32x4d", "resnext50_32x4d" },
        { "WideResNet50_2", "wide_resnet50_2" },
        { "ResNet50D", "timm_resnet50d" },
        { "SEResNet50", "timm_seresnet50" },
        { "SEResNeXt26D_32x4d", "timm_seresnext26d_32x4d" },
        { "LegacyXception", "timm_legacy_xception" },
        { "AlexNet", "alexnet" },
        { "VGG11_BN", "vgg11_bn" },
        { "SqueezeNet1_1", "squeezenet1_1" },
        { "MobileNetV2", "mobilenet_v2" },
        { "EfficientNet_B0", "efficientnet_b0" },
        { "MobileNetV3_Large", "mobilenet_v3_large" },
        { "DenseNet121", "densenet121" },
        { "RegNetY_400MF", "regnet_y_400mf" },
        { "ShuffleNetV2_x1_0", "shufflenet_v2_x1_0" },
        { "ConvNeXt_Tiny", "convnext_tiny" },
    };

    [ReferenceTheory]
    [MemberData(nameof(Peers))]
    public void GeneratedModelEqualsItsPeer(string model, string referenceId)
    {
        var entry = ModelZoo.Find(model);
        Assert.NotNull(entry);
        var reference = ReferenceModel.LoadById(referenceId);
        var report = ModelVerification.Run(entry!, reference);
        var lines = string.Join("\n", report.ToLines());
        Assert.True(report.StateDict.NamesAndShapesMatch, lines);
        Assert.True(report.StateDict.OrderMatches, lines);
        Assert.True(report.StateDict.ParamsMatch, lines);
        if (reference.HasLogits)
        {
            Assert.NotNull(report.Logits);
            Assert.True(report.Logits!.RelativeError < 1e-4, lines);
        }

        if (reference.AuxLogitsFloat64 is { Count: > 0 } aux)
        {
            Assert.Equal(aux.Keys.Order(), report.Aux.Select(a => a.Name).Order());
            Assert.All(report.Aux, a => Assert.True(a.RelativeError < 1e-4, lines));
        }

        Assert.True(report.Passed, lines);
    }

    [ReferenceFact]
    public void GoogLeNetCountsParametersWithAndWithoutAuxHeads()
    {
        var reference = ReferenceModel.LoadById("googlenet");
        using var withAux = new GoogLeNet();
        using var withoutAux = new GoogLeNet(auxLogits: false);
        Assert.Equal(reference.Params, withAux.parameters().Sum(p => p.numel()));
        Assert.Equal(reference.ParamsWithoutAux, withoutAux.parameters().Sum(p => p.numel()));
        // The generator's build-time counts (constants of the generated class) against the peer.
        (long parameters, long withoutAuxParameters, long flops) = (GoogLeNet.ParameterCount, GoogLeNet.ParameterCountWithoutAux, GoogLeNet.FlopCount);
        Assert.Equal(reference.Params, parameters);
        Assert.Equal(reference.ParamsWithoutAux, withoutAuxParameters);
        Assert.Equal(reference.FlopsBatch1, flops);
    }
}
