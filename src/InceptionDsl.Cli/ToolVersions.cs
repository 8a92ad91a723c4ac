using System.Diagnostics;
using System.Reflection;

namespace InceptionDsl.Cli;

/// <summary>
/// <c>inceptiondsl --version</c>: the tool's version, the generator pipeline it compiles specs with (the same
/// InceptionDsl.Core as the InceptionDsl package of that version) and the TorchSharp it runs models with. Read from the
/// files' version resources: nothing loads TorchSharp, so it answers where libtorch cannot load.
/// </summary>
public static class ToolVersions
{
    public static IEnumerable<string> Lines()
    {
        yield return $"inceptiondsl {Informational(typeof(ToolVersions).Assembly)}";
        yield return $"generator {Informational(typeof(InceptionDsl.SpecCompiler).Assembly)} (generated code marked [GeneratedCode(\"InceptionDsl\", \"{InceptionDsl.Emit.EmitOptions.GeneratorVersion}\")])";
        var torchSharp = Path.Combine(AppContext.BaseDirectory, "TorchSharp.dll");
        yield return File.Exists(torchSharp) ? $"TorchSharp {Product(torchSharp)}" : "TorchSharp: not found beside the tool";
    }

    /// <summary>The informational version without the source-control hash the SDK appends (+sha).</summary>
    private static string Informational(Assembly assembly)
    {
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return plus > 0 ? version[..plus] : version;
    }

    private static string Product(string file)
    {
        var version = FileVersionInfo.GetVersionInfo(file).ProductVersion ?? "unknown";
        int plus = version.IndexOf('+');
        return plus > 0 ? version[..plus] : version;
    }
}
