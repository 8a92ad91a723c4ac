using InceptionDsl.Semantics;

namespace InceptionDsl.Cli.Explain;

/// <summary>A model picked from a spec: the compiled IR and the file it came from.</summary>
public sealed record ResolvedModel(ModelIR Model, string SpecPath);

/// <summary>
/// Finds a model by zoo class name (the spec in specs/ whose compiled models include it) or by spec
/// file path (with several variants: the one named by <c>variant</c>, else the first).
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

    public static ResolvedModel Resolve(string modelOrFile, string? variant = null)
    {
        if (File.Exists(modelOrFile) || Directory.Exists(modelOrFile) || modelOrFile.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || modelOrFile.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
        {
            var result = SpecCompiler.Compile(modelOrFile, Read(modelOrFile));
            if (result.HasErrors)
                throw new ExplainException($"{CliText.Plain(modelOrFile)} has errors:{Environment.NewLine}" + string.Join(Environment.NewLine, result.Diagnostics.Select(d => d.ToString())));
            if (result.Models.Count == 0)
                throw new ExplainException($"{CliText.Plain(modelOrFile)} declares no model");
            if (variant is null)
                return new ResolvedModel(result.Models[0], modelOrFile);
            var chosen = result.Models.FirstOrDefault(m => string.Equals(m.ClassName, variant, StringComparison.OrdinalIgnoreCase))
                ?? throw new ExplainException($"{CliText.Plain(modelOrFile)} has no variant '{CliText.Plain(variant)}'; it has {string.Join(", ", result.Models.Select(m => m.ClassName))}");
            return new ResolvedModel(chosen, modelOrFile);
        }

        var name = variant ?? modelOrFile;
        var names = new List<string>();
        foreach (var file in SpecFiles())
        {
            var text = Read(file);
            // Cheap pre-filter: a spec that declares the model names it.
            if (text.IndexOf(name, StringComparison.OrdinalIgnoreCase) < 0)
            {
                continue;
            }

            var result = SpecCompiler.Compile(file, text);
            foreach (var model in result.Models)
            {
                names.Add(model.ClassName);
                if (string.Equals(model.ClassName, name, StringComparison.OrdinalIgnoreCase))
                    return new ResolvedModel(model, file);
            }
        }

        var all = All().Select(m => m.Model.ClassName).ToList();
        throw new ExplainException($"no model '{CliText.Plain(name)}' in {CliText.Plain(SpecsDir)}; models: {string.Join(", ", all)}");
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
