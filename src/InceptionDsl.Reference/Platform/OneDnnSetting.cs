using System;
using InceptionDsl.Text;

namespace InceptionDsl.Platform;

/// <summary>What <c>INCEPTIONDSL_ONEDNN</c> asks for: decide from evidence (the default), or force oneDNN on or off.</summary>
public enum OneDnnSetting
{
    /// <summary>Keep oneDNN unless this CPU hides its data caches or the known-answer convolution is wrong.</summary>
    Auto,

    /// <summary>Keep oneDNN whatever the evidence says (a warning is printed when it says otherwise).</summary>
    On,

    /// <summary>Turn oneDNN off.</summary>
    Off,
}

/// <summary>Reads <see cref="OneDnnSetting"/> from the environment.</summary>
public static class OneDnnSettings
{
    /// <summary>The environment variable: <c>on</c>, <c>off</c> or <c>auto</c> (case-insensitive; unset means auto).</summary>
    public const string Variable = "INCEPTIONDSL_ONEDNN";

    /// <summary>The setting <paramref name="value"/> names; null, when it names none, with <paramref name="problem"/> saying so.</summary>
    public static OneDnnSetting Parse(string? value, out string? problem)
    {
        problem = null;
        switch (value?.Trim().ToLowerInvariant())
        {
            case null or "" or "auto":
                return OneDnnSetting.Auto;
            case "on" or "1" or "true":
                return OneDnnSetting.On;
            case "off" or "0" or "false":
                return OneDnnSetting.Off;
            default:
                problem = $"{Variable}='{ShownText.Of(value!.Length > 40 ? value.Substring(0, 40) : value)}' is not on, off or auto; deciding automatically";
                return OneDnnSetting.Auto;
        }
    }
}
