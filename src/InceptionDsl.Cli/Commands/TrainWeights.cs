using InceptionDsl.Models;

namespace InceptionDsl.Cli.Commands;

/// <summary>
/// <c>train --weights</c>'s value: a file, or <c>NAME=FILE</c> naming an entry of the model's weights catalogue
/// (<c>inceptiondsl weights MODEL</c>), whose SHA-256 the file must have and whose preprocessing an image folder gets.
/// </summary>
internal sealed record TrainWeights(string Path, string? EntryName)
{
    /// <summary>Splits the option's value; a file whose own name holds '=' stays a file.</summary>
    public static TrainWeights Parse(string value)
    {
        int split = value.IndexOf('=');
        if (split <= 0 || File.Exists(value))
            return new TrainWeights(value, null);
        return new TrainWeights(value[(split + 1)..], value[..split]);
    }

    /// <summary>The catalogue entry of <paramref name="model"/> this value names (null for a plain file), or an error.</summary>
    public PretrainedWeights? Resolve(string model, out string? error)
    {
        error = null;
        if (EntryName is null)
            return null;
        if (Find(model, EntryName) is { } entry)
            return entry;
        var known = ModelZoo.Find(model)?.Weights.Select(w => w.Name).ToList() ?? [];
        error = known.Count == 0
            ? $"--weights {EntryName}=...: {model} has no weights catalogue (its spec lists no weights); give the file alone"
            : $"--weights {EntryName}=...: {model} has no weights named '{EntryName}'; its catalogue: {string.Join(", ", known)}";
        return null;
    }

    /// <summary>
    /// The zoo's catalogue entry of <paramref name="model"/> named <paramref name="name"/> (case-insensitive), or null. Here
    /// rather than in InceptionDsl.Training: the trainer takes any project's entries (IPretrainedWeights) and does not
    /// reference the zoo, so the runtime package carries no generated code.
    /// </summary>
    public static PretrainedWeights? Find(string model, string name) =>
        ModelZoo.Find(model)?.Weights.FirstOrDefault(w => string.Equals(w.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The line that names the entry's facts before loading: file, license, reported accuracy and its source.</summary>
    public static string Describe(PretrainedWeights entry) =>
        $"weights: {entry} from {entry.Source}; expected SHA-256 {entry.Sha256}{(entry.IsSha256Prefix ? "..." : "")}"
        + (entry.Top1 is { } top1 ? $"; reported top-1 {top1}%{(entry.Top5 is { } top5 ? $", top-5 {top5}%" : "")} ({entry.Citation})" : "");
}
