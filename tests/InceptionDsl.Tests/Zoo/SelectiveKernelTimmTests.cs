using InceptionDsl.Models;
using Xunit;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// timm's skresnet18 and skresnet34 (timm/models/sknet.py, timm/layers/selective_kernel.py) without
/// timm here: the state_dict the generated models have against one derived from timm's code, and
/// the parameter counts against those derived and those timm publishes.
/// </summary>
/// <remarks>
/// The derivation, from timm's source:
/// <list type="bullet">
/// <item>skresnet18/34 = ResNet(SelectiveKernelBasic, layers [2, 2, 2, 2] / [3, 4, 6, 3],
/// sk_kwargs = { rd_ratio: 1/8, rd_divisor: 16, split_input: True }). ResNet registers conv1 (7x7/2,
/// no bias), bn1, act1, maxpool, layer1..layer4 (a Sequential of blocks, the first of layers 2-4
/// with stride 2), global_pool, fc.</item>
/// <item>SelectiveKernelBasic registers conv1 = SelectiveKernel(inplanes, planes, stride), conv2 =
/// ConvNormAct(planes, planes, 3, apply_act=False) (conv, bn), then downsample where stride != 1 or
/// inplanes != planes: Sequential(Conv2d 1x1 with the stride, no bias; BatchNorm2d) as 0 and 1.</item>
/// <item>SelectiveKernel: kernel_size [3, 5] with keep_3x3 becomes two 3x3 paths (dilation 1 and 2);
/// split_input gives each inplanes / 2 input channels; paths = ModuleList of ConvNormAct (conv
/// without bias, bn); attn = SelectiveKernelAttn(planes, 2, make_divisible(planes / 8, 16)):
/// fc_reduce (1x1, no bias), bn, act, fc_select (1x1 to 2 x planes, no bias).</item>
/// <item>PyTorch's state_dict goes module by module, parameters then buffers (a BatchNorm's weight,
/// bias, running_mean, running_var, num_batches_tracked); TorchSharp lists all parameters before all
/// buffers, so the order is compared per kind, as the zoo's verification does.</item>
/// </list>
/// </remarks>
public sealed class SelectiveKernelTimmTests
{
    /// <summary>timm's make_divisible(v, divisor): at least the divisor, to the nearest multiple, never below 90% of v.</summary>
    private static long MakeDivisible(double value, long divisor)
    {
        long rounded = Math.Max(divisor, (long)(value + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * value ? rounded + divisor : rounded;
    }

    /// <summary>A timm SK network: basic blocks (skresnet18/34) or bottlenecks (skresnext50_32x4d), and its sk_kwargs.</summary>
    public sealed record SkConfig(int[] Depths, bool Bottleneck, long Cardinality, long BaseWidth, bool SplitInput, long RdRatio, long RdDivisor);

    private static readonly Dictionary<string, SkConfig> Configs = new()
    {
        // sk_kwargs = dict(rd_ratio=1 / 8, rd_divisor=16, split_input=True)
        ["SKResNet18"] = new(new[] { 2, 2, 2, 2 }, false, 1, 64, true, 8, 16),
        ["SKResNet34"] = new(new[] { 3, 4, 6, 3 }, false, 1, 64, true, 8, 16),
        // cardinality=32, base_width=4, sk_kwargs = dict(rd_ratio=1/16, rd_divisor=32, split_input=False)
        ["SKResNeXt50_32x4d"] = new(new[] { 3, 4, 6, 3 }, true, 32, 4, false, 16, 32),
    };

    /// <summary>timm's state_dict of an SK network, in PyTorch's order: (name, shape).</summary>
    private static List<(string Name, long[] Shape)> TimmStateDict(SkConfig config)
    {
        var entries = new List<(string, long[])>();
        void Conv(string name, long outC, long inC, long k) => entries.Add((name, new[] { outC, inC, k, k }));
        void Bn(string name, long c)
        {
            foreach (var part in new[] { "weight", "bias", "running_mean", "running_var" })
                entries.Add(($"{name}.{part}", new[] { c }));
            entries.Add(($"{name}.num_batches_tracked", Array.Empty<long>()));
        }

        // SelectiveKernel(inC, outC, groups): two ConvNormAct paths, then SelectiveKernelAttn.
        void SelectiveKernel(string prefix, long inC, long outC, long groups)
        {
            long pathIn = config.SplitInput ? inC / 2 : inC;
            for (int path = 0; path < 2; path++)
            {
                Conv($"{prefix}.paths.{path}.conv.weight", outC, pathIn / groups, 3);
                Bn($"{prefix}.paths.{path}.bn", outC);
            }

            long rd = MakeDivisible((double)outC / config.RdRatio, config.RdDivisor);
            Conv($"{prefix}.attn.fc_reduce.weight", rd, outC, 1);
            Bn($"{prefix}.attn.bn", rd);
            Conv($"{prefix}.attn.fc_select.weight", 2 * outC, rd, 1);
        }

        Conv("conv1.weight", 64, 3, 7);
        Bn("bn1", 64);
        long inplanes = 64;
        long expansion = config.Bottleneck ? 4 : 1;
        long[] planes = { 64, 128, 256, 512 };
        for (int stage = 0; stage < 4; stage++)
        {
            for (int block = 0; block < config.Depths[stage]; block++)
            {
                long p = planes[stage];
                long stride = stage > 0 && block == 0 ? 2 : 1;
                var prefix = $"layer{stage + 1}.{block}.";
                if (config.Bottleneck)
                {
                    // width = floor(planes * base_width / 64) * cardinality; conv1 1x1, conv2 SK (grouped), conv3 1x1 to planes * 4.
                    long width = p * config.BaseWidth / 64 * config.Cardinality;
                    Conv($"{prefix}conv1.conv.weight", width, inplanes, 1);
                    Bn($"{prefix}conv1.bn", width);
                    SelectiveKernel($"{prefix}conv2", width, width, config.Cardinality);
                    Conv($"{prefix}conv3.conv.weight", p * 4, width, 1);
                    Bn($"{prefix}conv3.bn", p * 4);
                }
                else
                {
                    SelectiveKernel($"{prefix}conv1", inplanes, p, 1);
                    Conv($"{prefix}conv2.conv.weight", p, p, 3);
                    Bn($"{prefix}conv2.bn", p);
                }

                if (stride != 1 || inplanes != p * expansion)
                {
                    Conv($"{prefix}downsample.0.weight", p * expansion, inplanes, 1);
                    Bn($"{prefix}downsample.1", p * expansion);
                }

                inplanes = p * expansion;
            }
        }

        entries.Add(("fc.weight", new long[] { 1000, 512 * expansion }));
        entries.Add(("fc.bias", new long[] { 1000 }));
        return entries;
    }

    private static bool IsBuffer(string name) =>
        name.EndsWith(".running_mean", StringComparison.Ordinal) || name.EndsWith(".running_var", StringComparison.Ordinal) || name.EndsWith(".num_batches_tracked", StringComparison.Ordinal);

    [Theory]
    [InlineData("SKResNet18")]
    [InlineData("SKResNet34")]
    [InlineData("SKResNeXt50_32x4d")]
    public void StateDictEqualsTimms(string name)
    {
        var entry = ModelZoo.Find(name)!;
        using var model = entry.Create(1000, 3, false);
        var expected = TimmStateDict(Configs[name]);
        var parameters = model.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        var buffers = model.named_buffers().Select(b => (b.name, b.buffer.shape)).ToList();
        Assert.Equal(expected.Where(e => !IsBuffer(e.Name)).Select(e => e.Name), parameters.Select(p => p.name));
        Assert.Equal(expected.Where(e => IsBuffer(e.Name)).Select(e => e.Name), buffers.Select(b => b.name));
        var shapes = parameters.Concat(buffers).ToDictionary(p => p.name, p => p.shape);
        Assert.All(expected, e => Assert.True(e.Shape.SequenceEqual(shapes[e.Name]), $"{e.Name}: [{string.Join(", ", shapes[e.Name])}], timm [{string.Join(", ", e.Shape)}]"));
    }

    [Theory]
    [InlineData("SKResNet18", 11.96)]
    [InlineData("SKResNet34", 22.28)]
    [InlineData("SKResNeXt50_32x4d", 27.48)]
    public void ParameterCountsEqualTimms(string name, double publishedMillions)
    {
        // timm's results tables (results/results-imagenet.csv, param_count) list skresnet18 at 11.96 M,
        // skresnet34 at 22.28 M and skresnext50_32x4d at 27.48 M; the derived state_dict gives the exact figure.
        var entry = ModelZoo.Find(name)!;
        long derived = TimmStateDict(Configs[name]).Where(e => !IsBuffer(e.Name)).Sum(e => e.Shape.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(derived, entry.Parameters);
        Assert.Equal(publishedMillions, Math.Round(entry.Parameters / 1e6, 2));
    }

    [Fact]
    public void FlopsAreResNet18sPlusTheAttention()
    {
        // The paths split the input: two 3x3 convs of inplanes / 2 channels cost what ResNet-18's one
        // 3x3 conv of inplanes does, so the difference is the attention's two 1x1 convs on one pixel
        // (a multiply-add counted as 2 FLOPs; the sum, softmax and weighting are not counted).
        long attention = 0;
        foreach (long planes in new long[] { 64, 128, 256, 512 })
        {
            long rd = MakeDivisible(planes / 8.0, 16);
            attention += 2 * 2 * (planes * rd + rd * 2 * planes);
        }

        long generated = SKResNet18.FlopCount;
        Assert.Equal(ResNet18.FlopCount + attention, generated);
    }

    [Fact]
    public void ForwardGivesLogitsAndTheSelectStepIsInTheBlock()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        using var noGrad = TorchSharp.torch.no_grad();
        using var model = new SKResNet18(numClasses: 7);
        model.eval();
        Assert.Equal(new long[] { 2, 7 }, model.forward(TorchSharp.torch.randn(2, 3, 64, 64)).shape);
    }
}
