using System.Diagnostics;
using InceptionDsl.Cli.Commands;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.TorchRun;

/// <summary>
/// What the torchrun tests need: Debian's PyTorch at <c>/usr/bin/python3</c> (apt-get install python3-torch, which brings
/// torchrun) and, for the ResNet18 stand-in, torchvision. Checked by file, so discovery starts no process.
/// </summary>
public static class TorchRunEnvironment
{
    public const string Python = "/usr/bin/python3";
    public const string TorchInit = "/usr/lib/python3/dist-packages/torch/__init__.py";
    public const string TorchVisionInit = "/usr/lib/python3/dist-packages/torchvision/__init__.py";

    /// <summary>
    /// The PyTorch modules the tests train. False: the hand-written stand-ins beside these tests (MiniInception written
    /// after its spec, ResNet18 as torchvision's), given to the CLI with --module. True: the modules
    /// <c>emit --target pytorch</c> writes, as <c>train --engine torchrun</c> emits them. Flip it when the PyTorch backend is on main.
    /// </summary>
    public static readonly bool EmittedModules = true;

    /// <summary>Why the tests cannot run here, or null.</summary>
    public static string? Missing(bool torchvision = false) =>
        !File.Exists(Python) || !File.Exists(TorchInit) ? $"PyTorch is not installed for {Python} ({TorchInit} is missing): apt-get install python3-torch"
        : TorchrunTraining.FindOnPath("torchrun") is null ? "torchrun is not on PATH: apt-get install python3-torch"
        : torchvision && !EmittedModules && !File.Exists(TorchVisionInit) ? $"torchvision is not installed for {Python} ({TorchVisionInit} is missing; the ResNet18 stand-in is torchvision's): apt-get install python3-torchvision"
        : null;

    /// <summary>The entry point, written from the Training assembly's resource into <paramref name="folder"/>.</summary>
    public static string Script(string folder) => InceptionDsl.Training.PyTorch.PyTorchTrainingScript.WriteTo(folder);

    /// <summary>The module file that trains <paramref name="model"/> (see <see cref="EmittedModules"/>).</summary>
    public static string Module(string model, string folder)
    {
        if (EmittedModules)
        {
            var spec = model == "ResNet18" ? "resnet.inception.yaml" : "mini_inception.inception.yaml";
            var (exit, stdout, stderr) = Support.CliProcess.Run("emit", "--target", "pytorch", Path.Combine(ReferencePaths.RepoRoot, "specs", spec), "-o", folder + "/");
            Assert.True(exit == 0, stdout + stderr);
            return Path.Combine(folder, spec == "resnet.inception.yaml" ? "resnet.py" : "mini_inception.py");
        }

        return Path.Combine(ReferencePaths.RepoRoot, "tests", "InceptionDsl.Tests", "TorchRun", model == "ResNet18" ? "resnet18_torchvision.py" : "mini_inception_standin.py");
    }

    /// <summary>The CLI options that give the module (none when the CLI emits it).</summary>
    public static string[] ModuleOption(string model, string folder) => EmittedModules ? [] : ["--module", Module(model, folder)];

    /// <summary>Runs a program to its end; exit code and both outputs.</summary>
    public static (int Exit, string Stdout, string Stderr) Run(string program, IEnumerable<string> arguments, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (workingDirectory is not null)
            info.WorkingDirectory = workingDirectory;
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}

/// <summary>A test that runs PyTorch and torchrun; skipped, saying what is missing, without them.</summary>
public sealed class TorchRunFactAttribute : FactAttribute
{
    public TorchRunFactAttribute(bool torchvision = false) => Skip = TorchRunEnvironment.Missing(torchvision);
}

/// <summary>A theory that runs PyTorch and torchrun; skipped, saying what is missing, without them.</summary>
public sealed class TorchRunTheoryAttribute : TheoryAttribute
{
    public TorchRunTheoryAttribute(bool torchvision = false) => Skip = TorchRunEnvironment.Missing(torchvision);
}
