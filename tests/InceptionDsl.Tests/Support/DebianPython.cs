using System.Diagnostics;
using Xunit;

namespace InceptionDsl.Tests.Support;

/// <summary>Debian's Python with its torch packages, the independent peer the torchvision and PyTorch-backend tests run.</summary>
public static class DebianPython
{
    public const string Path = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/>; fails the test with Python's stderr when it fails or takes over 5 minutes.</summary>
    public static void Run(string what, string script, params string[] args)
    {
        var info = new ProcessStartInfo(Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(300_000), $"{what} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"{what} failed ({process.ExitCode}): {stderr.Result}");
    }
}
