using InceptionDsl.Semantics;

namespace InceptionDsl.Cli.Explain;

/// <summary>A model picked from a spec: the compiled IR and the file it came from.</summary>
public sealed record ResolvedModel(ModelIR Model, string SpecPath);

/// <summary>
/// Finds a model by zoo class name (the spec in specs/ whose compiled models include it) or by spec
/// file path (with several models: the one named by <c>--model</c>), compiled by the build's pipeline
/// (SpecCompiler). Reads specs only: the commands that run models build on it (RunnableModels).
/// </summary>
public static class ModelResolver
{
    /// <summary>The specs folder: INCEPTIONDSL_SPECS_DIR, else the nearest specs/ walking up from the working directory or the binary.</summary>
    public static string SpecsDir
    {
        get
        {
            var overridden = Environment.GetEnvironmentVariable("INCEPTIONDSL_SPECS_DIR");
            if (!string.IsNullOrWhiteSpace(overridden))
                return Path.GetFullPath(overridden);
            foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            {
                for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                {
                    var candidate = Path.Combine(dir.FullName, "specs");
                    if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.inception.yaml").Any())
                        return candidate;
                }
            }

            return Path.GetFullPath("specs");
        }
    }

    public static IReadOnlyList<string> SpecFiles() =>
        Directory.Exists(SpecsDir) ? Directory.EnumerateFiles(SpecsDir, "*.inception.yaml").Order(StringComparer.Ordinal).ToList() : Array.Empty<string>();

    /// <summary>Every model of every spec in specs/.</summary>
    public static IEnumerable<ResolvedModel> All()
    {
        foreach (var file in SpecFiles())
        {
            var result = SpecCompiler.Compile(file, Read(file));
            foreach (var model in result.Models)
                yield return new ResolvedModel(model, file);
        }
    }

    /// <summary>
    /// Whether a command-line model argument names a spec file rather than a zoo class: an existing file or folder,
    /// or a name ending in .yaml or .yml (a missing spec file is then reported as such, not as an unknown model).
    /// </summary>
    public static bool IsSpecFile(string argument) =>
        File.Exists(argument) || Directory.Exists(argument)
        || argument.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || argument.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Every model a spec file declares, compiled as the build compiles it; a spec with errors is an
    /// <see cref="ExplainException"/> listing them all (compiler format), one without a model too.
    /// </summary>
    public static IReadOnlyList<ResolvedModel> FromFile(string file)
    {
        var result = SpecCompiler.Compile(file, Read(file));
        if (result.HasErrors)
            throw new ExplainException($"{file} has errors:{Environment.NewLine}" + string.Join(Environment.NewLine, result.Diagnostics.Select(d => d.ToString())));
        if (result.Models.Count == 0)
            throw new ExplainException($"{file} declares no model");
        return result.Models.Select(m => new ResolvedModel(m, file)).ToList();
    }

    /// <summary>
    /// The one model a command-line argument names: a zoo class name (the spec in specs/ that declares it), or a spec
    /// file. In a file of several models, <paramref name="model"/> (the <c>--model NAME</c> option) picks one; without
    /// it, the one whose <c>reference:</c> is <paramref name="referenceId"/> (verify --reference), else it is an error
    /// naming them. Every command that takes a model resolves it here.
    /// </summary>
    public static ResolvedModel Resolve(string modelOrFile, string? model = null, string? referenceId = null)
    {
        if (IsSpecFile(modelOrFile))
            return Choose(modelOrFile, FromFile(modelOrFile), model, referenceId);

        var name = modelOrFile;
        foreach (var file in SpecFiles())
        {
            var text = Read(file);
            // Cheap pre-filter: a spec that declares the model names it.
            if (text.IndexOf(name, StringComparison.OrdinalIgnoreCase) < 0)
            {
                continue;
            }

            var result = SpecCompiler.Compile(file, text);
            foreach (var found in result.Models)
            {
                if (string.Equals(found.ClassName, name, StringComparison.OrdinalIgnoreCase))
                    return new ResolvedModel(found, file);
            }
        }

        var all = All().Select(m => m.Model.ClassName).ToList();
        throw new ExplainException($"no model '{name}' in {SpecsDir} and no spec file of that name; models: {string.Join(", ", all)}");
    }

    /// <summary>The model of <paramref name="file"/> that <see cref="Resolve"/> takes (see there).</summary>
    public static ResolvedModel Choose(string file, IReadOnlyList<ResolvedModel> models, string? model, string? referenceId = null)
    {
        string Names() => string.Join(", ", models.Select(m => m.Model.ClassName));
        if (!string.IsNullOrWhiteSpace(model))
            return models.FirstOrDefault(m => string.Equals(m.Model.ClassName, model, StringComparison.OrdinalIgnoreCase))
                ?? throw new ExplainException($"{file} declares no model '{model}'; it declares {Names()}");
        if (models.Count == 1)
            return models[0];
        if (referenceId is not null && models.Where(m => string.Equals(m.Model.Metadata.Reference?.Trim(), referenceId, StringComparison.Ordinal)).ToList() is [var declaring])
            return declaring;
        throw new ExplainException($"{file} declares {models.Count} models ({Names()}): choose one with --model NAME");
    }

    /// <summary>A spec's text; a folder, a missing, unreadable, oversized or non-UTF-8 file is an <see cref="ExplainException"/> saying which and where.</summary>
    private static string Read(string file)
    {
        try
        {
            return CliFiles.ReadSpec(file);
        }
        catch (CliInputException error)
        {
            throw new ExplainException(error.Message);
        }
    }
}

/// <summary>A user error of the explain commands (unknown model, bad spec): printed, exit code 1.</summary>
public sealed class ExplainException(string message) : Exception(message);
