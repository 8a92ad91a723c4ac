using System.Diagnostics;
using System.Text.Json;
using InceptionDsl.Emit.PyTorch;
using InceptionDsl.Models;
using InceptionDsl.Reference;
using InceptionDsl.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace InceptionDsl.Tests.PyTorch;

/// <summary>A theory that needs Debian's torch at <c>/usr/bin/python3</c>; skipped, saying so, where it is absent (checked by file).</summary>
public sealed class PyTorchTheoryAttribute : TheoryAttribute
{
    public const string Python = "/usr/bin/python3";
    public const string TorchInit = "/usr/lib/python3/dist-packages/torch/__init__.py";

    public PyTorchTheoryAttribute()
    {
        if (!File.Exists(Python) || !File.Exists(TorchInit))
            Skip = $"torch is not installed for {Python} ({TorchInit} is missing): apt-get install python3-torch to check the PyTorch backend";
    }
}

/// <summary>
/// The PyTorch backend against the TorchSharp model generated from the same spec, for every zoo model: the emitted
/// module (emit --target pytorch) loads the TorchSharp model's state_dict strictly, has its parameters and buffers in
/// the same order, and computes the same logits from the same safetensors file (float64, batch 1, 1e-5 relative);
/// where the model has a reference fixture, its names are the peer's and its logits the fixture's first sample's
/// (1e-4 relative to the fixture's largest logit).
/// </summary>
public sealed class PyTorchBackendTests(Xunit.Abstractions.ITestOutputHelper log)
{
    public static TheoryData<string> ZooModels()
    {
        var data = new TheoryData<string>();
        foreach (var entry in ModelZoo.Entries)
            data.Add(entry.Name);
        return data;
    }

    private const string Script = """
        import importlib.util, json, sys
        import torch
        module_path, model_name, weights, out = sys.argv[1:5]
        spec = importlib.util.spec_from_file_location("emitted", module_path)
        emitted = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(emitted)
        tensors = read_safetensors(weights)
        x = tensors.pop("__input__")
        model = emitted.create(model_name).double()
        model.load_state_dict(tensors, strict=True)
        model.eval()
        with torch.no_grad():
            y = model(x)
        json.dump({"parameters": [n for n, _ in model.named_parameters()], "buffers": [n for n, _ in model.named_buffers()],
                   "logits": y.tolist()}, open(out, "w"))
        """;

    [PyTorchTheory]
    [MemberData(nameof(ZooModels))]
    public void EmittedModuleEqualsTheTorchSharpModel(string name)
    {
        var entry = ModelZoo.Find(name)!;
        var reference = entry.Reference is { } id && File.Exists(ReferencePaths.ModelFile(id)) ? ReferenceModel.LoadById(id) : null;
        var specPath = Path.Combine(ReferencePaths.RepoRoot, "specs", entry.Spec);
        var compiled = SpecCompiler.Compile(specPath, File.ReadAllText(specPath));
        Assert.False(compiled.HasErrors, string.Join("\n", compiled.Diagnostics));

        using var scope = NewDisposeScope();
        using var module = entry.Create(entry.Classes, entry.InChannels, true);
        module.to(ScalarType.Float64);
        DeterministicWeights.Fill(module);
        module.eval();
        // Batch 1: the fixture's first sample (the deterministic input is a function of the index, so it is the same values).
        var shape = reference is null ? new[] { 1L, entry.InChannels, entry.Height, entry.Width } : new[] { 1L }.Concat(reference.Input.Skip(1)).ToArray();
        var input = DeterministicWeights.Input(shape).to(ScalarType.Float64);
        Tensor logits;
        using (no_grad())
            logits = module.call(input);
        var parameters = module.named_parameters().Select(p => p.name).ToList();
        var buffers = module.named_buffers().Select(b => b.name).ToList();

        var folder = Directory.CreateTempSubdirectory("idsl-pt-");
        try
        {
            var emitted = Path.Combine(folder.FullName, PyTorchEmitter.FileName(specPath));
            File.WriteAllText(emitted, PyTorchEmitter.Emit(compiled.Models, entry.Spec));
            var weights = Path.Combine(folder.FullName, "model.safetensors");
            SafetensorsFile.Write(weights, module.state_dict().Select(p => (p.Key, p.Value)).Append(("__input__", input)), float64: true);
            var script = Path.Combine(folder.FullName, "run.py");
            File.WriteAllText(script, SafetensorsFile.PythonReader + "\n" + Script);
            var output = Path.Combine(folder.FullName, "out.json");
            Run(script, emitted, name, weights, output);

            using var result = JsonDocument.Parse(File.ReadAllText(output));
            List<string> Names(string kind) => result.RootElement.GetProperty(kind).EnumerateArray().Select(k => k.GetString()!).ToList();
            // The same parameters and buffers in the same order (TorchSharp's state_dict lists all parameters before
            // all buffers, PyTorch's module by module; each kind's order is the modules' in both).
            Assert.Equal(parameters, Names("parameters"));
            Assert.Equal(buffers, Names("buffers"));
            var keys = Names("parameters").Concat(Names("buffers")).ToList();
            var rows = result.RootElement.GetProperty("logits").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();
            var python = tensor(rows.SelectMany(r => r).ToArray(), ScalarType.Float64).reshape(logits.shape);
            var relative = ((python - logits).abs().max() / logits.abs().max()).item<double>();
            log.WriteLine($"{name}: PyTorch module vs TorchSharp, float64, relative max difference {relative:E2}");
            Assert.True(relative <= 1e-5, $"{name}: PyTorch module vs TorchSharp: relative max difference {relative}");

            if (reference is null)
                return;
            // The peer's state_dict: the same names (its aux heads' included; the model was built with them).
            Assert.Equal(reference.StateDict.Select(e => e.Name).OrderBy(n => n, StringComparer.Ordinal), keys.OrderBy(n => n, StringComparer.Ordinal));
            if (reference.HasLogits)
            {
                var expected = reference.LogitsFloat64![0];
                var difference = expected.Zip(rows.SelectMany(r => r), (a, b) => Math.Abs(a - b)).Max() / reference.LogitsAbsMax!.Value;
                log.WriteLine($"{name}: PyTorch module vs the fixture's logits ({reference.Id}): {difference:E2}");
                Assert.True(difference <= 1e-4, $"{name}: PyTorch module vs {reference.Id}'s logits: {difference}");
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static void Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo(PyTorchTheoryAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), "python did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"python failed ({process.ExitCode}): {stderr.Result}");
    }
}
