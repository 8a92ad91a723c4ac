using InceptionDsl.Models;
using InceptionDsl.Reference;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Zoo;

/// <summary>The generated Inception-v3 against torchvision's inception_v3 reference file.</summary>
public sealed class InceptionV3Tests
{
    [ReferenceFact]
    public void InceptionV3CountsParametersWithAndWithoutAuxLogits()
    {
        var reference = ReferenceModel.LoadById("inception_v3");
        using var withAux = new InceptionV3();
        using var withoutAux = new InceptionV3(auxLogits: false);
        Assert.Equal(27_161_264L, reference.Params);
        Assert.Equal(23_834_568L, reference.ParamsWithoutAux);
        Assert.Equal(reference.Params, withAux.parameters().Sum(p => p.numel()));
        Assert.Equal(reference.ParamsWithoutAux, withoutAux.parameters().Sum(p => p.numel()));
        // The generator's build-time counts against the peer's.
        (long parameters, long withoutAuxParameters, long flops) = (InceptionV3.ParameterCount, InceptionV3.ParameterCountWithoutAux, InceptionV3.FlopCount);
        Assert.Equal(reference.Params, parameters);
        Assert.Equal(reference.ParamsWithoutAux, withoutAuxParameters);
        Assert.Equal(reference.FlopsBatch1, flops);
    }

    [Fact]
    public void InceptionV3ForwardsLogitsInEvalAndAuxLogitsInTraining()
    {
        using var scope = NewDisposeScope();
        using var model = new InceptionV3();
        var x = randn(1, 3, 299, 299);

        model.eval();
        using (no_grad())
        {
            var logits = model.forward(x);
            Assert.Equal(new long[] { 1, 1000 }, logits.shape);
        }

        // BatchNorm needs more than one value per channel in training mode: use a batch of 2.
        model.train();
        var output = model.ForwardWithAux(randn(2, 3, 299, 299), computeAux: true);
        Assert.Equal(new long[] { 2, 1000 }, output.Logits.shape);
        Assert.True(output.Aux.ContainsKey("AuxLogits"));
        Assert.Equal(new long[] { 2, 1000 }, output.Aux["AuxLogits"].shape);
    }
}
