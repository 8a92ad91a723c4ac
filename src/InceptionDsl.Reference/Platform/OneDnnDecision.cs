using System;
using System.Globalization;

namespace InceptionDsl.Platform;

/// <summary>
/// What <see cref="LibTorchGuard"/> decided for this process, and the evidence: the CPU's cache
/// topology and the known-answer convolution's relative error with oneDNN (and without it, when
/// turned off).
/// </summary>
/// <param name="Setting">What <c>INCEPTIONDSL_ONEDNN</c> asked for.</param>
/// <param name="OneDnnEnabled">Whether libtorch may use oneDNN from now on.</param>
/// <param name="Reason">Why, in a few words, e.g. <c>CPUID leaf 0x8000001D describes no data cache</c>.</param>
/// <param name="Topology">The CPU's cache topology as oneDNN reads it.</param>
/// <param name="ErrorWithOneDnn">The start-up probe's relative error with oneDNN on; null when not run (forced off).</param>
/// <param name="ErrorWithoutOneDnn">The same with oneDNN off; null when oneDNN stays on.</param>
/// <param name="Elapsed">The decision's own time (libtorch already loaded).</param>
/// <param name="Problem">What went wrong, when the decision could not be applied or a result is still wrong; null when all is well.</param>
public sealed record OneDnnDecision(
    OneDnnSetting Setting,
    bool OneDnnEnabled,
    string Reason,
    CpuCacheTopology Topology,
    double? ErrorWithOneDnn,
    double? ErrorWithoutOneDnn,
    TimeSpan Elapsed,
    string? Problem)
{
    /// <summary>Whether float32 convolutions compute right answers now, as far as the probe tells.</summary>
    public bool Trustworthy => Problem is null;

    /// <summary>The one line printed on stderr when the decision changes something or goes wrong; the same line <c>inceptiondsl doctor</c> prints.</summary>
    public string Describe()
    {
        var state = OneDnnEnabled ? "oneDNN on" : "oneDNN off";
        var probe = ConvolutionProbe.StartUp.Name;
        var evidence = (ErrorWithOneDnn, ErrorWithoutOneDnn) switch
        {
            ({ } with, { } without) => $"; known-answer convolution ({probe}) relative error {Format(with)} with oneDNN, {Format(without)} without",
            ({ } with, null) => $"; known-answer convolution ({probe}) relative error {Format(with)}",
            (null, { } without) => $"; known-answer convolution ({probe}) relative error {Format(without)} without oneDNN",
            _ => "",
        };
        var problem = Problem is null ? "" : $"; {Problem}";
        return $"{state}: {Reason}{evidence} ({OneDnnSettings.Variable}={Setting.ToString().ToLowerInvariant()}, {Elapsed.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture)} ms){problem}";
    }

    private static string Format(double error) => error.ToString("0.0e+00", CultureInfo.InvariantCulture);
}
