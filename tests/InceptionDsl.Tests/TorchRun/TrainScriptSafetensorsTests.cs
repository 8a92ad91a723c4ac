using System.Globalization;
using System.Text.Json;
using InceptionDsl.Reference;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.TorchRun;

/// <summary>
/// The entry point's own safetensors reader and writer (torch alone: Debian has no python3-safetensors) against
/// .NET's: every dtype round-trips in Python, .NET reads what Python wrote, Python reads what .NET wrote, with equal values.
/// </summary>
public sealed class TrainScriptSafetensorsTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("train-script-safetensors-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private const string Code = """
        import json, sys, torch
        folder, from_dotnet = sys.argv[1:3]
        sys.path.insert(0, folder)
        import train_ddp as t
        g = torch.Generator().manual_seed(5)
        tensors = {
            "f32": torch.randn(3, 4, generator=g), "f64": torch.randn(2, generator=g).double(), "f16": torch.randn(5, generator=g).half(),
            "bf16": torch.randn(2, 2, generator=g).bfloat16(), "i64": torch.arange(-3, 4), "i32": torch.arange(6, dtype=torch.int32).view(2, 3),
            "u8": torch.arange(250, 256, dtype=torch.uint8), "bool": torch.tensor([True, False, True]), "empty": torch.zeros(0, 3),
            "scalar": torch.tensor(2.5), "strided": torch.arange(12.0).view(3, 4).t(),
        }
        t.save_safetensors(tensors, folder + "/python.safetensors")
        back = t.load_safetensors(folder + "/python.safetensors")
        assert list(back) == list(tensors), list(back)
        for name, tensor in tensors.items():
            assert back[name].dtype == tensor.dtype and back[name].shape == tensor.shape and torch.equal(back[name], tensor), name
        dotnet = t.load_safetensors(from_dotnet)
        print(json.dumps({
            "python": {k: v.double().flatten().tolist() for k, v in tensors.items() if k in ("f32", "i64", "strided")},
            "dotnet": {k: [str(v.dtype), list(v.shape), v.double().flatten().tolist()] for k, v in dotnet.items()},
        }))
        """;

    [TorchRunFact]
    public void PythonsFilesAndDotNetsReadEachOther()
    {
        InceptionDsl.Training.PyTorch.PyTorchTrainingScript.WriteTo(folder);
        manual_seed(3);
        using var module = nn.Sequential(("conv", nn.Conv2d(2, 3, 3)), ("bn", nn.BatchNorm2d(3)));
        var fromDotNet = Path.Combine(folder, "dotnet.safetensors");
        CheckpointLoader.Save(module, fromDotNet);

        var (exit, stdout, stderr) = TorchRunEnvironment.Run(TorchRunEnvironment.Python, ["-c", Code, folder, fromDotNet]);
        Assert.True(exit == 0, stdout + stderr);
        using var result = JsonDocument.Parse(stdout);

        // .NET reads Python's file: the header checks pass, values equal.
        var pythonFile = Path.Combine(folder, "python.safetensors");
        Assert.Equal(11, SafetensorsHeader.Check(pythonFile));
        var read = CheckpointLoader.Read(pythonFile);
        foreach (var name in new[] { "f32", "i64", "strided" })
        {
            var expected = result.RootElement.GetProperty("python").GetProperty(name).EnumerateArray().Select(v => v.GetDouble()).ToArray();
            Assert.Equal(expected, read[name].to_type(float64).flatten().data<double>().ToArray());
        }
        Assert.Equal(new long[] { 4, 3 }, read["strided"].shape);
        Assert.Equal(ScalarType.BFloat16, read["bf16"].dtype);

        // Python reads .NET's file: names in order, dtypes, shapes and values.
        var dotnet = result.RootElement.GetProperty("dotnet").EnumerateObject().ToList();
        var state = module.state_dict();
        Assert.Equal(state.Keys, dotnet.Select(p => p.Name));
        foreach (var entry in dotnet)
        {
            var tensor = state[entry.Name];
            Assert.Equal(tensor.shape, entry.Value[1].EnumerateArray().Select(v => v.GetInt64()).ToArray());
            Assert.Equal(tensor.dtype == int64 ? "torch.int64" : "torch.float32", entry.Value[0].GetString());
            Assert.Equal(tensor.to_type(float64).flatten().data<double>().ToArray(), entry.Value[2].EnumerateArray().Select(v => v.GetDouble()).ToArray());
        }
    }
}
