using InceptionDsl.Platform;
using Xunit;

namespace InceptionDsl.Tests.Platform;

/// <summary>
/// The smallest convolutions that libtorch 2.10's oneDNN computes wrong, or dies on, where the CPU
/// hides its caches (docs/platform.md), each a test of its own: under this process's oneDNN decision
/// (made when the test assembly loads) its float32 result equals float64. On a CPU without the
/// problem they run with oneDNN and pass as they always did; on one with it they pass only because
/// the guard turned oneDNN off.
/// </summary>
public sealed class KnownFaultConvolutionTests
{
    public static TheoryData<string> Faults()
    {
        var data = new TheoryData<string>();
        foreach (var probe in ConvolutionProbe.KnownFaults)
            data.Add(probe.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public void Float32EqualsFloat64UnderTheDecision(string name)
    {
        var probe = ConvolutionProbe.KnownFaults.Single(p => p.Name == name);
        var decision = LibTorchGuard.EnsureApplied();
        // Only INCEPTIONDSL_ONEDNN=on on such a CPU gets here with oneDNN on: fail, rather than kill the test host.
        Assert.False(probe.Crashes && decision.OneDnnEnabled && decision.Topology.HidesDataCaches,
            $"'{name}' kills the process with oneDNN on this CPU, and the guard was told to keep it: {decision.Describe()}");

        var error = probe.RelativeError();

        Assert.True(ConvolutionProbe.IsRight(error), $"'{name}': float32 differs from float64 by {error:E2} relative; {decision.Describe()}");
    }

    [Fact]
    public void TheStartUpProbeIsOneOfTheKnownFaultsAndNeverTheCrashingOne()
    {
        Assert.Contains(ConvolutionProbe.StartUp, ConvolutionProbe.KnownFaults);
        Assert.False(ConvolutionProbe.StartUp.Crashes);
    }

    [Theory]
    [InlineData(1e-7, true)]
    [InlineData(1e-4, true)]
    [InlineData(1.1e-4, false)]
    [InlineData(double.NaN, false)]
    [InlineData(double.PositiveInfinity, false)]
    public void ARightAnswerIsFiniteAndWithinTolerance(double error, bool right) =>
        Assert.Equal(right, ConvolutionProbe.IsRight(error));
}

/// <summary>
/// The start-up probe leaves torch's global generator as it found it. It seeds and draws from that generator, so it
/// runs in the collection no other test draws alongside.
/// </summary>
[Collection(nameof(InceptionDsl.Tests.FineTuning.GlobalRandomCollection))]
public sealed class ConvolutionProbeRandomTests
{
    [Fact]
    public void TheProbeDoesNotTouchTheCallersRandomNumbers()
    {
        TorchSharp.torch.manual_seed(7);
        var expected = TorchSharp.torch.rand(3).data<float>().ToArray();
        TorchSharp.torch.manual_seed(7);
        ConvolutionProbe.StartUp.RelativeError();
        var actual = TorchSharp.torch.rand(3).data<float>().ToArray();
        Assert.Equal(expected, actual);
    }
}
