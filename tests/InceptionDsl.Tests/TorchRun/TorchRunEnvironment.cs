using System.Diagnostics;
using InceptionDsl.Cli.Commands;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.TorchRun;

/// <summary>
/// What the torchrun tests need: Debian's PyTorch at <c>/usr/bin/python3</c> (apt-get install python3-torch, which brings
/// torchrun). Checked by file, so discovery starts no process.
/// </summary>
public static class TorchRunEnvironment
{
    public const string Python = "/usr/bin/python3";
    public const string TorchInit = "/usr/lib/python3/dist-packages/torch/__init__.py";

    /// <summary>Why the tests cannot run here, or null.</summary>
    public static string? Missing() =>
        !File.Exists(Python) || !File.Exists(TorchInit) ? $"PyTorch is not installed for {Python} ({TorchInit} is missing): apt-get install python3-torch"
        : TorchrunTraining.FindOnPath("torchrun") is null ? "torchrun is not on PATH: apt-get install python3-torch"
        : null;

    /// <summary>The entry point, written from the Training assembly's resource into <paramref name="folder"/>.</summary>
    public static string Script(string folder) => InceptionDsl.Training.PyTorch.PyTorchTrainingScript.WriteTo(folder);

    /// <summary>The module <c>emit --target pytorch</c> writes for <paramref name="model"/>'s spec, in <paramref name="folder"/>.</summary>
    public static string Module(string model, string folder)
    {
        var spec = model == "ResNet18" ? "resnet.inception.yaml" : "mini_inception.inception.yaml";
        var (exit, stdout, stderr) = Support.CliProcess.Run("emit", "--target", "pytorch", Path.Combine(ReferencePaths.RepoRoot, "specs", spec), "-o", folder + "/");
        Assert.True(exit == 0, stdout + stderr);
        return Path.Combine(folder, spec == "resnet.inception.yaml" ? "resnet.py" : "mini_inception.py");
    }

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
    public TorchRunFactAttribute() => Skip = TorchRunEnvironment.Missing();
}

/// <summary>A theory that runs PyTorch and torchrun; skipped, saying what is missing, without them.</summary>
public sealed class TorchRunTheoryAttribute : TheoryAttribute
{
    public TorchRunTheoryAttribute() => Skip = TorchRunEnvironment.Missing();
}
