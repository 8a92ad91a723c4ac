using System.Runtime.CompilerServices;
using System.Runtime.Loader;

namespace InceptionDsl.Benchmarks;

/// <summary>
/// The generator references InceptionDsl.Core privately (as an analyzer dependency), so the
/// build leaves InceptionDsl.Core.dll beside the benchmarks but out of their deps.json. Load it
/// from there, in this process and in BenchmarkDotNet's child processes alike.
/// </summary>
internal static class AssemblyResolution
{
    [ModuleInitializer]
    internal static void Install() =>
        AssemblyLoadContext.Default.Resolving += static (context, name) =>
        {
            var file = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
            return File.Exists(file) ? context.LoadFromAssemblyPath(file) : null;
        };
}
