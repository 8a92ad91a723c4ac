using System.Diagnostics;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.Zoo;

/// <summary>
/// A theory that needs Debian's torchvision at <c>/usr/bin/python3</c> (apt-get install python3-torchvision);
/// skipped, saying so, where it is absent. Checked by file, so discovery starts no process.
/// </summary>
public sealed class TorchVisionPeerTheoryAttribute : TheoryAttribute
{
    public const string Python = "/usr/bin/python3";
    public const string TorchVisionInit = "/usr/lib/python3/dist-packages/torchvision/__init__.py";

    public TorchVisionPeerTheoryAttribute()
    {
        if (!File.Exists(Python) || !File.Exists(TorchVisionInit))
            Skip = $"torchvision is not installed for {Python} ({TorchVisionInit} is missing): apt-get install python3-torchvision to compare the forward with it";
    }
}

/// <summary>
/// The torchvision families' numbers, proved without the held-back numeric fixtures: each zoo model is filled
/// with the deterministic weights, its state_dict and the deterministic input are written as safetensors, and
/// torchvision (a separate implementation, PyTorch 1.13) loads them strictly into its own model and computes
/// the logits, which must equal the generated model's to 1e-4 relative (batch 1, the fixture's input size).
/// </summary>
public sealed class TorchVisionForwardTests(Xunit.Abstractions.ITestOutputHelper log)
{
    /// <summary>Zoo model and torchvision's builder for it.</summary>
    public static TheoryData<string, string> Models() => new()
    {
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

    /// <summary>
    /// Stochastic depth as each spec declares it (EfficientNet's drop_path: 0.2 * index / 16, ConvNeXt's 0.1 * index / 17
    /// over the whole network): each block's rate equals torchvision's StochasticDepth p, in order, as the structure
    /// fixture's module tree prints them.
    /// </summary>
    [ReferenceTheory]
    [InlineData("efficientnet_b0", 16)]
    [InlineData("convnext_tiny", 18)]
    public void DropPathRatesAreTorchVisions(string id, int blocks)
    {
        var repr = ReferenceModel.LoadById(id).Repr ?? throw new InvalidOperationException($"{id}.json has no repr");
        var expected = System.Text.RegularExpressions.Regex.Matches(repr, @"StochasticDepth\(p=([0-9.e-]+), mode=row\)")
            .Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        using var model = id == "efficientnet_b0" ? (TorchSharp.torch.nn.Module)new EfficientNet_B0() : new ConvNeXt_Tiny();
        var rates = model.modules().OfType<IDropPath>().Select(m => m.DropPathRate).ToList();
        Assert.Equal(blocks, expected.Count);
        Assert.Equal(expected.Count, rates.Count);
        foreach (var (want, got) in expected.Zip(rates))
            Assert.Equal(want, got, 1e-12);
    }

    private const string Script = """
        import sys
        import torch, torchvision
        path, builder, out = sys.argv[1:4]
        tensors = read_safetensors(path)
        x = tensors.pop("__input__")
        model = getattr(torchvision.models, builder)()
        model.load_state_dict(tensors, strict=True)
        model.eval()
        with torch.no_grad():
            y = model(x)
        open(out, "wb").write(y.contiguous().numpy().astype("<f4").tobytes())
        """;

    /// <summary>Training works: a step at batch 1 and the fixture's input size gives every parameter a finite gradient.</summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void ForwardAndBackwardReachEveryParameter(string model, string builder)
    {
        _ = builder;
        var entry = ModelZoo.Find(model)!;
        using var scope = NewDisposeScope();
        manual_seed(26);
        using var module = entry.Create(entry.Classes, entry.InChannels, false);
        module.train();
        var input = randn(1, entry.InChannels, entry.Height, entry.Width);
        var loss = nn.functional.cross_entropy(module.call(input), tensor(new long[] { 7 }));
        loss.backward();
        Assert.True(float.IsFinite(loss.item<float>()), $"{model}: loss {loss.item<float>()}");
        foreach (var (name, parameter) in module.named_parameters())
        {
            Assert.True(parameter.grad is not null, $"{model}: {name} has no gradient");
            Assert.True(parameter.grad!.isfinite().all().item<bool>(), $"{model}: {name} has a non-finite gradient");
        }
    }

    [TorchVisionPeerTheory]
    [MemberData(nameof(Models))]
    public void LogitsEqualTorchVisions(string model, string builder)
    {
        var entry = ModelZoo.Find(model);
        Assert.NotNull(entry);
        using var scope = NewDisposeScope();
        using var module = entry!.Create(entry.Classes, entry.InChannels, false);
        DeterministicWeights.Fill(module);
        module.eval();
        var input = DeterministicWeights.Input(new[] { 1L, entry.InChannels, entry.Height, entry.Width });
        Tensor logits;
        using (no_grad())
            logits = module.call(input);

        var folder = Directory.CreateTempSubdirectory("idsl-tv-");
        try
        {
            var weights = Path.Combine(folder.FullName, "model.safetensors");
            var entries = module.state_dict().Select(p => (p.Key, p.Value)).Append(("__input__", input));
            SafetensorsFile.Write(weights, entries);
            var script = Path.Combine(folder.FullName, "peer.py");
            File.WriteAllText(script, SafetensorsFile.PythonReader + "\n" + Script);
            var output = Path.Combine(folder.FullName, "logits.f32");
            Run(script, weights, builder, output);

            var bytes = File.ReadAllBytes(output);
            var peer = new float[bytes.Length / 4];
            Buffer.BlockCopy(bytes, 0, peer, 0, bytes.Length);
            var expected = tensor(peer).reshape(logits.shape);
            var relative = ((logits - expected).abs().max() / expected.abs().max()).item<float>();
            log.WriteLine($"{model} vs torchvision {builder}: relative max difference {relative:E2}");
            Assert.True(relative < 1e-4, $"{model} vs torchvision {builder}: relative max difference {relative}");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Run(string script, string weights, string builder, string output)
    {
        var info = new ProcessStartInfo(TorchVisionPeerTheoryAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { script, weights, builder, output })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), "torchvision did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"torchvision failed ({process.ExitCode}): {stderr.Result}");
    }
}
