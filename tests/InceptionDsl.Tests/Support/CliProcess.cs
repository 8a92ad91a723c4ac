using System.Diagnostics;

namespace InceptionDsl.Tests.Support;

/// <summary>Runs the built CLI (inceptiondsl.dll beside the tests) as the user runs it, by default in the repository root.</summary>
public static class CliProcess
{
    public static (int Exit, string Stdout, string Stderr) Run(params string[] args) =>
        RunIn(InceptionDsl.Reference.ReferencePaths.RepoRoot, args);

    public static (int Exit, string Stdout, string Stderr) RunIn(string workingDirectory, params string[] args) =>
        RunWith(workingDirectory, new Dictionary<string, string?>(), args);

    /// <summary>Runs the CLI with <paramref name="environment"/> set (a null value removes the variable).</summary>
    public static (int Exit, string Stdout, string Stderr) RunWith(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var (name, value) in environment)
        {
            if (value is null)
                info.Environment.Remove(name);
            else
                info.Environment[name] = value;
        }

        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "inceptiondsl.dll"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
