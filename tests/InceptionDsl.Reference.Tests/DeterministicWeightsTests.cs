using System.Linq;
using InceptionDsl.Reference;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Reference.Tests;

/// <summary>
/// Expected values were derived independently with a plain Python 3 transcription of the formula in
/// ../shared/reference/README.md (arbitrary-precision ints, explicit "% 2**32"):
/// <code>
/// def fnv(name):
///     h = 0x811C9DC5
///     for b in name.encode('utf-8'): h = ((h ^ b) * 0x01000193) % 2**32
///     return h
/// def u(name, i):
///     v = (i * 2654435761 + fnv(name)) % 2**32
///     v ^= v >> 16; v = (v * 0x45D9F3B) % 2**32; v ^= v >> 16
///     return v
/// def x(name, i): return u(name, i) / 2**32 - 0.5
/// </code>
/// and the leaf rules applied on top (e.g. x * 2 * math.sqrt(6 / fan_in)); printed with repr().
/// </summary>
public class DeterministicWeightsTests
{
    [Theory]
    [InlineData("", 0x811c9dc5u)]
    [InlineData("input", 0xf9d86f7bu)]
    [InlineData("conv1.weight", 0xbdcec494u)]
    [InlineData("fc.bias", 0x368b3f85u)]
    [InlineData("layer1.0.bn1.running_var", 0xb03b1c59u)]
    [InlineData("é.weight", 0x995d2b51u)] // non-ASCII: hashed as UTF-8 bytes
    public void Fnv1a32_matches_python(string name, uint expected)
    {
        Assert.Equal(expected, DeterministicWeights.Fnv1a32(name));
    }

    [Theory]
    [InlineData("input", 0L, 1605413665u, -0.12621050304733217)]
    [InlineData("input", 1L, 1217042587u, -0.21663519111461937)]
    [InlineData("input", 150527L, 886127202u, -0.29368243319913745)]
    [InlineData("conv1.weight", 0L, 2040964120u, -0.024801010265946388)]
    [InlineData("conv1.weight", 9407L, 2062805911u, -0.01971557200886309)]
    [InlineData("fc.bias", 999L, 1187935319u, -0.22341225505806506)]
    [InlineData("input", 4294967301L, 636373825u, -0.351832672720775)] // index >= 2^32 wraps like index 5
    public void U_and_X_match_python(string name, long index, uint expectedU, double expectedX)
    {
        Assert.Equal(expectedU, DeterministicWeights.Mix(DeterministicWeights.Fnv1a32(name), index));
        Assert.Equal(expectedX, DeterministicWeights.X(name, index));
    }

    [Fact]
    public void Leaf_rules_match_python()
    {
        Assert.Equal(0.11712059749271105, DeterministicWeights.Value("conv1.weight", [64, 3, 7, 7], 7));
        Assert.Equal(0.9908530856482685, DeterministicWeights.Value("bn1.running_var", [64], 3));
        Assert.Equal(-0.0038655066397041086, DeterministicWeights.Value("bn1.running_mean", [64], 3));
        Assert.Equal(0.9561792441178113, DeterministicWeights.Value("bn1.weight", [64], 3));
        Assert.Equal(-0.020581706427037716, DeterministicWeights.Value("fc.bias", [1000], 3));
        Assert.Equal(0.02302053420800346, DeterministicWeights.Value("fc.weight", [1000, 512], 1234), 15);
    }

    [Fact]
    public void Input_is_float32_of_twice_x()
    {
        using Tensor input = DeterministicWeights.Input([2, 3, 224, 224]);
        Assert.Equal(ScalarType.Float32, input.dtype);
        Assert.Equal(new long[] { 2, 3, 224, 224 }, input.shape);
        float[] first = input.flatten()[..4].data<float>().ToArray();
        // float32 of 2 * x("input", i), i = 0..3, from the Python transcription above.
        Assert.Equal(new[] { -0.25242099165916443f, -0.4332703948020935f, 0.9057262539863586f, -0.5016745924949646f }, first);
    }

    [Fact]
    public void Fill_writes_every_floating_entry_and_leaves_integers()
    {
        using var module = nn.Sequential(
            ("conv", nn.Conv2d(3, 4, 3)),
            ("bn", nn.BatchNorm2d(4)),
            ("fc", nn.Linear(5, 6)));
        var before = module.state_dict()["bn.num_batches_tracked"].item<long>();

        long written = DeterministicWeights.Fill(module);

        var sd = module.state_dict();
        long floating = sd.Values.Where(t => DeterministicWeights.IsFloatingPoint(t.dtype)).Sum(t => t.numel());
        Assert.Equal(floating, written);
        Assert.Equal(before, sd["bn.num_batches_tracked"].item<long>());
        foreach ((string name, Tensor t) in sd)
        {
            if (!DeterministicWeights.IsFloatingPoint(t.dtype)) continue;
            float[] actual = t.detach().flatten().data<float>().ToArray();
            float[] expected = DeterministicWeights.Values(name, t.shape).Select(v => (float)v).ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Fill_casts_from_float64_for_other_dtypes()
    {
        using var module = nn.Linear(7, 3);
        module.to(ScalarType.Float64);
        DeterministicWeights.Fill(module);
        double[] actual = module.weight!.detach().flatten().data<double>().ToArray();
        Assert.Equal(DeterministicWeights.Values("weight", [3, 7]), actual);

        module.to(ScalarType.Float16);
        DeterministicWeights.Fill(module);
        using Tensor expected = torch.tensor(DeterministicWeights.Values("bias", [3]), ScalarType.Float64).to(ScalarType.Float16);
        Assert.Equal(ScalarType.Float16, module.bias!.dtype);
        Assert.Equal(expected.to(ScalarType.Float64).data<double>().ToArray(), module.bias!.detach().to(ScalarType.Float64).data<double>().ToArray());
    }
}
