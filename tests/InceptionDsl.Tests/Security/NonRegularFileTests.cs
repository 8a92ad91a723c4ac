using System.Diagnostics;
using InceptionDsl.Cli;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Security;

/// <summary>
/// A spec path that is not a regular file (a named pipe, a link to /dev/zero, a folder, a dangling or
/// looping link) is refused without being read, with a one-line error naming it: in process (CliFiles),
/// through the built CLI (every command that reads a spec) and through the build's MSBuild check. Each
/// run has a time limit, so a regression (reading the pipe, which blocks for ever) fails instead of hanging.
/// </summary>
public sealed class NonRegularFileTests : IDisposable
{
    private static readonly TimeSpan InProcessLimit = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ProcessLimit = TimeSpan.FromSeconds(120);

    private readonly string dir = Directory.CreateTempSubdirectory("idsl-nonregular-").FullName;

    public NonRegularFileTests()
    {
        if (OperatingSystem.IsWindows())
            return;
        Run("mkfifo", Pipe);
        File.CreateSymbolicLink(Zero, "/dev/zero");
        File.CreateSymbolicLink(Dangling, Path.Combine(dir, "missing.inception.yaml"));
        File.CreateSymbolicLink(Loop, Loop);
        Directory.CreateDirectory(Folder);
        File.WriteAllText(Regular, "model: Fine\ninput: { channels: 3, size: 32 }\nclasses: 10\nbody: [ global_avgpool, flatten, { linear: 10 } ]\n");
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Pipe => Path.Combine(dir, "pipe.inception.yaml");
    private string Zero => Path.Combine(dir, "zero.inception.yaml");
    private string Dangling => Path.Combine(dir, "dangling.inception.yaml");
    private string Loop => Path.Combine(dir, "loop.inception.yaml");
    private string Folder => Path.Combine(dir, "folder.inception.yaml");
    private string Regular => Path.Combine(dir, "fine.inception.yaml");

    public static TheoryData<string, string> Kinds() => new()
    {
        { "pipe", "is a named pipe (FIFO), not a regular file; it was not read" },
        { "zero", "is a character device (such as /dev/zero), not a regular file; it was not read" },
        { "dangling", "is a symbolic link that leads nowhere (its target is missing, or the links loop)" },
        { "loop", "is a symbolic link that leads nowhere (its target is missing, or the links loop)" },
        { "folder", "is a folder, not a file" },
    };

    private string PathOf(string kind) => Path.Combine(dir, kind + ".inception.yaml");

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task ReadSpecRefusesItWithoutReading(string kind, string problem)
    {
        if (OperatingSystem.IsWindows())
            return; // no named pipes or /dev/zero in the file system there
        var path = PathOf(kind);
        var read = Task.Run(() => Assert.Throws<CliInputException>(() => CliFiles.ReadSpec(path)));
        Assert.True(await Task.WhenAny(read, Task.Delay(InProcessLimit)) == read, $"reading {kind} did not return: it was opened");
        Assert.Equal($"{path}: {problem}", (await read).Message);
        Assert.Equal(problem, CliFiles.InputProblem(path));
    }

    [Fact]
    public void ARegularFileAndALinkToOneAreRead()
    {
        if (OperatingSystem.IsWindows())
            return; // symbolic links need privileges there
        var link = Path.Combine(dir, "link.inception.yaml");
        File.CreateSymbolicLink(link, Regular);
        Assert.Null(CliFiles.InputProblem(Regular));
        Assert.StartsWith("model: Fine", CliFiles.ReadSpec(link));
    }

    [Fact]
    public void CheckPrintsOneLinePerRefusedFileAndStillChecksTheRest()
    {
        if (OperatingSystem.IsWindows())
            return; // no named pipes or /dev/zero in the file system there
        var (exit, stdout, stderr) = Cli("check", Pipe, Zero, Dangling, Loop, Regular);
        Assert.Equal(1, exit);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal("5 file(s), 1 model(s), 4 error(s)", lines[^1]);
        foreach (var (kind, problem) in Kinds().Select(row => ((string)row[0], (string)row[1])).Where(k => k.Item1 != "folder"))
            Assert.Contains($"{PathOf(kind)}(1,1): error IDSL001: {problem}", lines);
        Assert.Empty(stderr);
    }

    [Theory]
    [InlineData("summary")]
    [InlineData("explain")]
    [InlineData("diagram")]
    [InlineData("diff")]
    [InlineData("train")]
    public void EveryCommandThatReadsASpecRefusesAPipe(string command)
    {
        if (OperatingSystem.IsWindows())
            return; // no named pipes in the file system there
        var args = command switch
        {
            "diff" => new[] { "diff", Regular, Pipe },
            "diagram" => new[] { "diagram", Pipe, "-o", Path.Combine(dir, "out.svg") },
            _ => new[] { command, Pipe },
        };
        var (exit, stdout, stderr) = Cli(args);
        Assert.Equal(1, exit);
        Assert.Contains($"{Pipe}: is a named pipe (FIFO), not a regular file; it was not read", stdout + stderr);
        Assert.DoesNotContain("   at ", stdout + stderr);
        Assert.False(File.Exists(Path.Combine(dir, "out.svg")));
    }

    [Fact]
    public void TheBuildRefusesAPipeAndADeviceBeforeTheCompilerOpensThem()
    {
        if (OperatingSystem.IsWindows())
            return; // no named pipes or /dev/zero in the file system there
        var (exit, output) = MsBuild(Pipe, Zero, Regular);
        Assert.NotEqual(0, exit);
        Assert.Contains($"error IDSL001: {Pipe}: is a named pipe (FIFO), not a regular file; it was not read", output);
        Assert.Contains($"error IDSL001: {Zero}: is a character device (such as /dev/zero), not a regular file; it was not read", output);
        Assert.DoesNotContain("kept:", output);
        Assert.DoesNotContain(Regular + ": ", output);
    }

    [Fact]
    public void TheBuildKeepsRegularSpecsAndOtherAdditionalFiles()
    {
        var other = Path.Combine(dir, "notes.txt");
        File.WriteAllText(other, "not a spec");
        var (exit, output) = MsBuild(Regular, other);
        Assert.True(exit == 0, output);
        Assert.Contains($"kept: {Regular};{other}", output);
    }

    /// <summary>
    /// Runs InceptionDsl.SpecFiles.targets, as a build imports it, on a project whose AdditionalFiles are
    /// <paramref name="files"/>; the Probe target prints what is left for the compiler.
    /// </summary>
    private (int Exit, string Output) MsBuild(params string[] files)
    {
        var targets = Path.Combine(InceptionDsl.Reference.ReferencePaths.RepoRoot, "src", "InceptionDsl.Generator", "buildTransitive", "InceptionDsl.SpecFiles.targets");
        var project = Path.Combine(dir, "probe.proj");
        File.WriteAllText(project, $"""
            <Project>
              <ItemGroup><AdditionalFiles Include="{string.Join(";", files)}" /></ItemGroup>
              <Import Project="{targets}" />
              <Target Name="Probe" DependsOnTargets="InceptionDslRefuseIrregularSpecs">
                <Message Importance="high" Text="kept: @(AdditionalFiles)" />
              </Target>
            </Project>
            """);
        var (exit, stdout, stderr) = Run("dotnet", "msbuild", project, "-t:Probe", "-nologo", "-v:m", "-nodeReuse:false");
        return (exit, stdout + stderr);
    }

    private static (int Exit, string Stdout, string Stderr) Cli(params string[] args) =>
        Run("dotnet", [Path.Combine(AppContext.BaseDirectory, "inceptiondsl.dll"), .. args]);

    /// <summary>Runs a process with a time limit: one that runs past it is killed and the test fails.</summary>
    private static (int Exit, string Stdout, string Stderr) Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ProcessLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(" ", args)} ran past {ProcessLimit.TotalSeconds} s (it read a file it should have refused?)");
        }

        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
