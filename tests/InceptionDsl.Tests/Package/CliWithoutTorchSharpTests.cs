using System.Reflection;
using System.Runtime.Loader;
using InceptionDsl.Reference;
using Xunit;

namespace InceptionDsl.Tests.Package;

/// <summary>
/// The commands that only read specs (check, emit, schema, summary, explain, diff, diagram) start without loading
/// TorchSharp (and so without libtorch): that keeps <c>inceptiondsl check</c> fast. The built
/// inceptiondsl.dll runs in its own collectible load context, resolving its dependencies from its own
/// output folder exactly as the host does, so every assembly it loads is visible in that context
/// (the test process itself has TorchSharp loaded already).
/// </summary>
public sealed class CliWithoutTorchSharpTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string Spec = Path.Combine(ReferencePaths.RepoRoot, "specs", "googlenet.inception.yaml");

    public static TheoryData<string[]> SpecOnlyCommands() => new()
    {
        new[] { "check", Spec },
        new[] { "emit", Spec },
        new[] { "schema" },
        new[] { "summary", Spec },
        new[] { "explain", Spec },
        new[] { "diff", Spec, Path.Combine(ReferencePaths.RepoRoot, "specs", "inception_v3.inception.yaml") },
        new[] { "diagram", Spec },
    };

    [Theory]
    [MemberData(nameof(SpecOnlyCommands))]
    public void SpecOnlyCommandsRunWithoutLoadingTorchSharp(string[] args)
    {
        var (exitCode, loaded) = RunIsolated(args);
        Assert.Equal(0, exitCode);
        Assert.Contains("InceptionDsl.Core", loaded);
        Assert.DoesNotContain("TorchSharp", loaded);
    }

    /// <summary>The check of the test itself: a command that does use TorchSharp (zoo, here stopping at an
    /// unknown model name, after its code has been compiled) shows up as loading it.</summary>
    [Fact]
    public void TheLoadContextSeesTorchSharpWhenACommandUsesIt()
    {
        var (exitCode, loaded) = RunIsolated(["zoo", "--model", "NoSuchModel"]);
        Assert.Equal(1, exitCode);
        Assert.Contains("TorchSharp", loaded);
    }

    private static (int ExitCode, HashSet<string> Loaded) RunIsolated(string[] args)
    {
        var dll = Path.Combine(ReferencePaths.RepoRoot, "src", "InceptionDsl.Cli", "bin", Configuration, "net10.0", "inceptiondsl.dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        var context = new IsolatedContext(dll);
        var output = Console.Out;
        var error = Console.Error;
        try
        {
            Console.SetOut(TextWriter.Null);
            Console.SetError(TextWriter.Null);
            var entry = context.LoadFromAssemblyPath(dll).EntryPoint!;
            var exitCode = (int)entry.Invoke(null, [args])!;
            return (exitCode, context.Assemblies.Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(error);
            context.Unload();
        }
    }

    /// <summary>Resolves what inceptiondsl.deps.json lists from the CLI's folder; the framework from the default context.</summary>
    private sealed class IsolatedContext(string mainAssembly) : AssemblyLoadContext("inceptiondsl-cli", isCollectible: true)
    {
        private readonly AssemblyDependencyResolver resolver = new(mainAssembly);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            resolver.ResolveAssemblyToPath(assemblyName) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
