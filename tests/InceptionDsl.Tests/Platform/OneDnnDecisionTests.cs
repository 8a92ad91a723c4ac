using InceptionDsl.Platform;
using InceptionDsl.Tests.Support;
using Xunit;

namespace InceptionDsl.Tests.Platform;

/// <summary>
/// The oneDNN decision (docs/platform.md): how <c>INCEPTIONDSL_ONEDNN</c> is read, what the CPU's cache
/// topology counts as hidden, and, in child processes of the CLI, that the automatic decision agrees
/// with what oneDNN actually computes on this machine.
/// </summary>
public sealed class OneDnnDecisionTests
{
    [Theory]
    [InlineData(null, OneDnnSetting.Auto)]
    [InlineData("", OneDnnSetting.Auto)]
    [InlineData("auto", OneDnnSetting.Auto)]
    [InlineData(" OFF ", OneDnnSetting.Off)]
    [InlineData("0", OneDnnSetting.Off)]
    [InlineData("On", OneDnnSetting.On)]
    [InlineData("true", OneDnnSetting.On)]
    public void TheVariableNamesASetting(string? value, OneDnnSetting expected)
    {
        Assert.Equal(expected, OneDnnSettings.Parse(value, out var problem));
        Assert.Null(problem);
    }

    [Fact]
    public void AnUnknownValueDecidesAutomaticallyAndSaysSoWithoutRawControlCharacters()
    {
        Assert.Equal(OneDnnSetting.Auto, OneDnnSettings.Parse("yes\u001b]52;c;x\u0007", out var problem));
        Assert.Equal("INCEPTIONDSL_ONEDNN='yes\\u001B]52;c;x\\u0007' is not on, off or auto; deciding automatically", problem);
    }

    [Theory]
    [InlineData(true, 0, 0, 0, true)]
    [InlineData(true, 3, 48 * 1024, 0, true)]
    [InlineData(true, 3, 48 * 1024, 1024 * 1024, false)]
    [InlineData(false, 0, 0, 0, false)]
    public void ACpuHidesItsCachesWhenCpuidDescribesNoDataCache(bool x86, int levels, long l1, long l2, bool hides) =>
        Assert.Equal(hides, new CpuCacheTopology(x86, "0x8000001D", levels, l1, l2, true, null).HidesDataCaches);

    [Fact]
    public void ThisCpusTopologyAgreesWithLinux()
    {
        // Linux builds /sys/devices/system/cpu/cpu0/cache from the same CPUID leaves the guard reads.
        var topology = CpuCacheTopology.Read();
        if (topology.Applies && topology.SysfsCacheListed is { } listed)
            Assert.Equal(listed, !topology.HidesDataCaches);
        Assert.Equal(topology.Applies, System.Runtime.Intrinsics.X86.X86Base.IsSupported);
    }

    [Fact]
    public void TheDecisionLineNamesStateReasonEvidenceAndSetting()
    {
        var topology = new CpuCacheTopology(true, "0x8000001D", 0, 0, 0, true, false);
        var decision = new OneDnnDecision(OneDnnSetting.Auto, false, "CPUID leaf 0x8000001D describes no data cache", topology, 0.53, 9.2e-7, TimeSpan.FromMilliseconds(12), null);
        Assert.Equal("oneDNN off: CPUID leaf 0x8000001D describes no data cache; known-answer convolution (3x3, 20 -> 8, batch 2, 4x4, NCHW) relative error 5.3e-01 with oneDNN, 9.2e-07 without (INCEPTIONDSL_ONEDNN=auto, 12 ms)", decision.Describe());
        Assert.True(decision.Trustworthy);
        Assert.False((decision with { Problem = "x" }).Trustworthy);
    }

    [Fact]
    public void TheAutomaticDecisionCatchesWhatOneDnnGetsWrongHere()
    {
        var forcedOn = Doctor("on");
        var auto = Doctor("auto");
        var forcedOff = Doctor("off");

        // With oneDNN kept, the known faults either compute right (a CPU without the problem) or the
        // doctor says WRONG and exits 1; either way the automatic decision must end right.
        bool wrongWithOneDnn = forcedOn.Stdout.Contains("WRONG", StringComparison.Ordinal);
        Assert.Equal(wrongWithOneDnn ? 1 : 0, forcedOn.Exit);
        Assert.True(auto.Exit == 0, auto.Stdout + auto.Stderr);
        Assert.Contains("float32 convolutions: right", auto.Stdout);
        if (wrongWithOneDnn)
        {
            Assert.Contains("decision: oneDNN off", auto.Stdout);
            // The one line on stderr that says so and why.
            Assert.Single(auto.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => line.StartsWith("inceptiondsl: oneDNN off: ", StringComparison.Ordinal));
        }

        Assert.Equal(0, forcedOff.Exit);
        Assert.Contains("decision: oneDNN off: asked for off", forcedOff.Stdout);
        // libtorch's NNPACK warning: at most once per process (none where the CPU hides its caches).
        Assert.True(CountOf("NNPACK", auto.Stderr) <= 1 && CountOf("NNPACK", forcedOff.Stderr) <= 1, auto.Stderr + forcedOff.Stderr);
        if (auto.Stdout.Contains("describes no data cache", StringComparison.Ordinal))
            Assert.DoesNotContain("NNPACK", auto.Stderr);
    }

    private static int CountOf(string word, string text) => text.Split(word).Length - 1;

    private static (int Exit, string Stdout, string Stderr) Doctor(string setting) =>
        CliProcess.RunWith(InceptionDsl.Reference.ReferencePaths.RepoRoot, new Dictionary<string, string?> { [OneDnnSettings.Variable] = setting }, "doctor");
}
