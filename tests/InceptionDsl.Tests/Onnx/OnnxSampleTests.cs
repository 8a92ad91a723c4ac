using System.Diagnostics;
using InceptionDsl.Onnx;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Onnx;

/// <summary>samples/OnnxDeploy (ONNX Runtime alone, as a deploying app) builds and classifies with an exported model.</summary>
public sealed class OnnxSampleTests
{
    [Fact]
    public void TheDeploySampleBuildsAndRunsAnExportedModel()
    {
        var folder = Directory.CreateTempSubdirectory("onnx-sample-").FullName;
        try
        {
            var modelPath = Path.Combine(folder, "mini.onnx");
            using (var model = new InceptionDsl.Models.MiniInception())
            {
                DeterministicWeights.Fill(model);
                OnnxExport.Save((IOnnxExportable)model, modelPath);
            }

            var project = Path.Combine(ReferencePaths.RepoRoot, "samples", "OnnxDeploy", "OnnxDeploy.csproj");
            var output = Path.Combine(folder, "app");
            var (buildExit, buildLog) = Run("build", project, "-o", output, "-p:UseSharedCompilation=false");
            Assert.True(buildExit == 0, buildLog);

            var (exit, stdout) = Run(Path.Combine(output, "OnnxDeploy.dll"), modelPath);
            Assert.True(exit == 0, stdout);
            Assert.Contains("model: MiniInception from mini_inception.inception.yaml", stdout, StringComparison.Ordinal);
            Assert.Equal(5, stdout.Split('\n').Count(l => l.StartsWith("class ", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (int Exit, string Output) Run(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
