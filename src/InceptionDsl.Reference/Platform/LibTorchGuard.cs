using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using TorchSharp;

namespace InceptionDsl.Platform;

/// <summary>
/// Decides once per process, before the first convolution, whether libtorch's oneDNN can be trusted
/// on this CPU, and turns it off when not (docs/platform.md). Evidence, not a list of CPU names:
/// <list type="bullet">
/// <item>the data cache sizes CPUID describes (<see cref="CpuCacheTopology"/>): with none, oneDNN
/// divides by zero planning channels-last 1x1 convolutions (SIGFPE), which no in-process check can
/// survive, and NNPACK cannot initialise either;</item>
/// <item>a known-answer convolution (<see cref="ConvolutionProbe.StartUp"/>) in float32 against float64.</item>
/// </list>
/// <c>INCEPTIONDSL_ONEDNN=on|off|auto</c> forces it either way. Turning oneDNN off or keeping it
/// against the evidence prints one line on stderr; otherwise the guard is silent. Everything that
/// runs models calls <see cref="EnsureApplied"/>: the CLI's model commands, the runtime library's
/// entry points (checkpoint loading, verification, training) and the test assemblies.
/// </summary>
public static class LibTorchGuard
{
    private static readonly Lazy<OneDnnDecision> Decision = new(Decide, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The decision for this process, made and applied on the first call (a few milliseconds once libtorch is loaded).</summary>
    public static OneDnnDecision EnsureApplied() => Decision.Value;

    /// <summary>Whether the decision has been made in this process.</summary>
    public static bool Applied => Decision.IsValueCreated;

    private static OneDnnDecision Decide()
    {
        try
        {
            return DecideAndApply();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException or ExternalException or InvalidOperationException)
        {
            // libtorch itself could not be loaded: the caller's first TorchSharp call reports that in its own words.
            var problem = $"could not check libtorch: {e.GetBaseException().Message.Split('\n')[0]}";
            return new(OneDnnSetting.Auto, true, "not checked", CpuCacheTopology.Read(), null, null, TimeSpan.Zero, problem);
        }
    }

    private static OneDnnDecision DecideAndApply()
    {
        var setting = OneDnnSettings.Parse(Environment.GetEnvironmentVariable(OneDnnSettings.Variable), out var settingProblem);
        if (settingProblem is not null)
            Console.Error.WriteLine($"inceptiondsl: {settingProblem}");

        torch.InitializeDeviceType(DeviceType.CPU);
        var clock = Stopwatch.StartNew();
        var topology = CpuCacheTopology.Read();
        var context = LibTorchContext.TryOpen(out var bindFailure);
        if (context is not null)
            QuietNnpack(context, topology);

        var decision = Decide(setting, topology, context, bindFailure, clock);
        // Silent when nothing changed and all is right, or when the user asked for exactly this.
        if (decision.Problem is not null || !decision.OneDnnEnabled && setting == OneDnnSetting.Auto)
            Console.Error.WriteLine($"inceptiondsl: {decision.Describe()}");
        return decision;
    }

    private static OneDnnDecision Decide(OneDnnSetting setting, CpuCacheTopology topology, LibTorchContext? context, string? bindFailure, Stopwatch clock)
    {
        var probe = ConvolutionProbe.StartUp;
        if (setting == OneDnnSetting.Off)
            return TurnOff(setting, "asked for off", topology, null, context, bindFailure, clock);

        // Where the CPU hides its caches the evidence is already enough (and the crash cannot be
        // probed in-process): turn oneDNN off at once and only confirm the answer without it.
        if (setting == OneDnnSetting.Auto && topology.HidesDataCaches)
            return TurnOff(setting, $"{topology.Summary} (oneDNN sizes its kernels by the caches: wrong float32 convolutions, SIGFPE in channels-last 1x1 ones)", topology, null, context, bindFailure, clock);

        // Safe with oneDNN on wherever it runs: this configuration miscomputes but never crashes.
        var withOneDnn = probe.RelativeError();
        bool wrong = !ConvolutionProbe.IsRight(withOneDnn);
        if (setting == OneDnnSetting.On)
        {
            if (!wrong && !topology.HidesDataCaches)
                return new(setting, true, "asked for on", topology, withOneDnn, null, clock.Elapsed, null);
            var against = wrong ? "the known-answer convolution is wrong with it" : topology.Summary;
            return new(setting, true, $"kept as asked although {against}", topology, withOneDnn, null, clock.Elapsed,
                wrong ? "float32 convolutions are wrong on this CPU" : "channels-last 1x1 convolutions may crash (SIGFPE) on this CPU");
        }

        if (!wrong)
            return new(setting, true, "the CPU describes its caches and the known-answer convolution is right", topology, withOneDnn, null, clock.Elapsed, null);
        return TurnOff(setting, "the known-answer convolution is wrong with oneDNN", topology, withOneDnn, context, bindFailure, clock);
    }

    private static OneDnnDecision TurnOff(OneDnnSetting setting, string reason, CpuCacheTopology topology, double? withOneDnn, LibTorchContext? context, string? bindFailure, Stopwatch clock)
    {
        if (context is null)
            return new(setting, true, reason, topology, withOneDnn, null, clock.Elapsed, $"could not turn oneDNN off ({bindFailure}): float32 convolutions may be wrong or crash");
        context.OneDnnEnabled = false;
        var withoutOneDnn = ConvolutionProbe.StartUp.RelativeError();
        return new(setting, false, reason, topology, withOneDnn, withoutOneDnn, clock.Elapsed,
            ConvolutionProbe.IsRight(withoutOneDnn) ? null : "the known-answer convolution is wrong without oneDNN too");
    }

    /// <summary>
    /// libtorch logs "Could not initialize NNPACK! Reason: Unsupported hardware." on every convolution
    /// that could use NNPACK where it cannot initialise. It cannot where the CPU hides its caches
    /// (NNPACK sizes its tiles by them): turn it off silently, which changes nothing else. Elsewhere
    /// ask once (at most one warning) and turn it off if it failed.
    /// </summary>
    private static void QuietNnpack(LibTorchContext context, CpuCacheTopology topology)
    {
        if (topology.HidesDataCaches || context.NnpackAvailable() == false)
            context.SetNnpackEnabled(false);
    }
}
