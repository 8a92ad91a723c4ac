using System;
using System.Runtime.CompilerServices;
using InceptionDsl.Platform;

namespace InceptionDsl.Tests.Shared;

/// <summary>
/// The test assemblies run models as a program does: the oneDNN decision (docs/platform.md) is made
/// when the assembly loads, before any test's first convolution, so the suite takes the path a
/// user's process takes on this CPU (its one line, if any, is on the test host's stderr).
/// </summary>
internal static class LibTorchStartup
{
    [ModuleInitializer]
    internal static void ApplyLibTorchGuard()
    {
        var decision = LibTorchGuard.EnsureApplied();
        // The CLI processes tests start inherit the decision as a setting, so they take the same path
        // without printing its line again into the stderr the tests read. The automatic decision of a
        // child process is tested on its own (OneDnnDecisionTests), with the variable set explicitly.
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(OneDnnSettings.Variable)))
            Environment.SetEnvironmentVariable(OneDnnSettings.Variable, decision.OneDnnEnabled ? "on" : "off");
    }
}
