using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace InceptionDsl.Reference;

/// <summary>The on-disk format of a PyTorch state_dict file.</summary>
public enum CheckpointFormat
{
    /// <summary>A <c>.safetensors</c> file (8-byte header length, JSON header, raw data).</summary>
    Safetensors,

    /// <summary>A <c>torch.save(model.state_dict(), path)</c> zip archive with a pickle.</summary>
    TorchSave,
}

/// <summary>What <see cref="CheckpointLoader.Load(nn.Module, string)"/> copied into a module.</summary>
/// <param name="Path">The file read.</param>
/// <param name="Format">Its format.</param>
/// <param name="Entries">State_dict entries copied.</param>
/// <param name="DTypes">The dtypes found in the file (e.g. <c>Float16</c>), converted to the module's.</param>
public sealed record CheckpointLoadResult(string Path, CheckpointFormat Format, int Entries, IReadOnlyList<string> DTypes)
{
    /// <summary>What was changed to fit the file to the module (see <see cref="CheckpointLoadOptions"/>); empty for a strict load.</summary>
    public IReadOnlyList<CheckpointAdaptation> Adaptations { get; init; } = [];
}

/// <summary>
/// A checkpoint that does not fit the module: every missing, unexpected and mis-shaped key is
/// listed in <see cref="Exception.Message"/>, and available as lists.
/// </summary>
public sealed class CheckpointMismatchException : Exception
{
    /// <summary>Creates the exception with a readable message listing every problem.</summary>
    public CheckpointMismatchException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<EntryMismatch> misShaped,
        IReadOnlyList<EntryMismatch>? misTyped = null)
        : base(Describe(path, missing, unexpected, misShaped, misTyped ?? []))
    {
        Missing = missing;
        Unexpected = unexpected;
        MisShaped = misShaped;
        MisTyped = misTyped ?? [];
    }

    /// <summary>Keys the module has and the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Keys the file has and the module lacks.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Keys on both sides whose shapes differ (Expected = the module's, Actual = the file's).</summary>
    public IReadOnlyList<EntryMismatch> MisShaped { get; }

    /// <summary>Keys whose values cannot be converted: an integer or bool tensor for a floating-point one, or the reverse (Expected = the module's dtype, Actual = the file's).</summary>
    public IReadOnlyList<EntryMismatch> MisTyped { get; }

    private static string Describe(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<EntryMismatch> misShaped,
        IReadOnlyList<EntryMismatch> misTyped)
    {
        var text = new StringBuilder();
        text.Append("The checkpoint ").Append(System.IO.Path.GetFileName(path)).Append(" does not fit the module: ")
            .Append(missing.Count).Append(" missing, ").Append(unexpected.Count).Append(" unexpected, ")
            .Append(misShaped.Count).Append(" mis-shaped");
        if (misTyped.Count > 0)
            text.Append(", ").Append(misTyped.Count).Append(" mis-typed");
        text.Append(" key(s).");
        foreach (var key in missing)
            text.Append("\n  missing in the file: ").Append(key);
        foreach (var key in unexpected)
            text.Append("\n  unexpected (not in the module): ").Append(key);
        foreach (var entry in misShaped)
            text.Append("\n  mis-shaped: ").Append(entry.Name).Append(": module ").Append(entry.Expected).Append(", file ").Append(entry.Actual);
        foreach (var entry in misTyped)
            text.Append("\n  mis-typed: ").Append(entry.Name).Append(": module ").Append(entry.Expected).Append(", file ").Append(entry.Actual);
        return text.ToString();
    }
}

/// <summary>
/// Loads PyTorch state_dict files — <c>.safetensors</c> and <c>torch.save</c> pickles, read by
/// TorchSharp.PyBridge — into any TorchSharp module whose state_dict names match (every
/// InceptionDsl model uses its peer's names). Keys and shapes are compared first: a mismatch throws
/// <see cref="CheckpointMismatchException"/> naming each key, and nothing is copied. Values of
/// another floating dtype (float16, bfloat16, float64) are converted to the module's dtype.
/// </summary>
public static class CheckpointLoader
{
    // Runtime entry point: decide about libtorch's oneDNN on this CPU before the first convolution (docs/platform.md).
    static CheckpointLoader() => global::InceptionDsl.Platform.LibTorchGuard.EnsureApplied();

    /// <summary>Detects the format from the file's first bytes (a zip archive is a torch.save file).</summary>
    public static CheckpointFormat DetectFormat(string path)
    {
        using var stream = File.OpenRead(path);
        if (stream.Length == 0)
            throw new ReferenceFormatException(path, "the file is empty; expected a safetensors file or a torch.save zip archive");
        Span<byte> head = stackalloc byte[9];
        int read = stream.Read(head);
        if (read >= 2 && head[0] == (byte)'P' && head[1] == (byte)'K')
            return CheckpointFormat.TorchSave;
        if (read == 9 && head[8] == (byte)'{')
            return CheckpointFormat.Safetensors;
        throw new InvalidDataException($"{path} is neither a safetensors file nor a torch.save zip archive.");
    }

    /// <summary>
    /// Reads every tensor of a state_dict file, by key (the caller disposes them). A safetensors header is
    /// checked first (<see cref="SafetensorsHeader"/>); a file neither reader understands throws
    /// <see cref="ReferenceFormatException"/> naming it.
    /// </summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"No checkpoint at {path}.", path);
        if (DetectFormat(path) == CheckpointFormat.Safetensors)
        {
            SafetensorsHeader.Check(path);
            return Safetensors.LoadStateDict(path);
        }

        Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(path);
        }
        // Whatever the unpickler or the zip reader trips on is the file's fault; an unreadable file is not.
        catch (Exception error) when (error is not (OutOfMemoryException or UnauthorizedAccessException or FileNotFoundException or DirectoryNotFoundException))
        {
            throw new ReferenceFormatException(path, $"not a readable torch.save state_dict archive ({error.Message})", inner: error);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Value is Tensor tensor)
                result[(string)entry.Key] = tensor;
            else
                throw new InvalidDataException($"{path}: the entry '{entry.Key}' is not a tensor; save model.state_dict(), not the model or a training checkpoint.");
        }

        return result;
    }

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/>: checks keys and shapes, then
    /// copies every entry (converting the dtype when needed). Throws
    /// <see cref="CheckpointMismatchException"/> before copying anything if the file does not fit.
    /// </summary>
    public static CheckpointLoadResult Load(nn.Module module, string path) => Load(module, path, CheckpointLoadOptions.Strict);

    /// <summary>
    /// Loads <paramref name="path"/> into <paramref name="module"/> as <see cref="Load(nn.Module, string)"/>, first
    /// fitting it as <paramref name="options"/> allow: a classifier of another class count re-initialised, the first
    /// convolution adapted to the module's input channels (each change listed in
    /// <see cref="CheckpointLoadResult.Adaptations"/>), and the file's SHA-256 checked. What still does not fit throws
    /// <see cref="CheckpointMismatchException"/> before anything is copied.
    /// </summary>
    public static CheckpointLoadResult Load(nn.Module module, string path, CheckpointLoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Sha256 is { } expected)
            CheckpointHash.Verify(path, expected);
        var format = DetectFormat(path);
        var file = Read(path);
        var target = module.state_dict();
        using var plan = CheckpointAdapter.Plan(module, target, file, options);
        try
        {
            Tensor Source(string key) => plan.Replacements.TryGetValue(key, out var adapted) ? adapted : file[key];
            bool Compared(string key) => file.ContainsKey(key) && !plan.KeepModule.Contains(key);
            var missing = target.Keys.Where(k => !file.ContainsKey(k)).ToList();
            var unexpected = file.Keys.Where(k => !target.ContainsKey(k)).OrderBy(k => k, StringComparer.Ordinal).ToList();
            var misShaped = target.Where(kv => Compared(kv.Key) && !Source(kv.Key).shape.SequenceEqual(kv.Value.shape))
                .Select(kv => new EntryMismatch(kv.Key, Shape(kv.Value.shape), Shape(Source(kv.Key).shape))).ToList();
            var misTyped = target.Where(kv => Compared(kv.Key) && IsFloating(file[kv.Key].dtype) != IsFloating(kv.Value.dtype))
                .Select(kv => new EntryMismatch(kv.Key, kv.Value.dtype.ToString(), file[kv.Key].dtype.ToString())).ToList();
            if (missing.Count > 0 || unexpected.Count > 0 || misShaped.Count > 0 || misTyped.Count > 0)
                throw new CheckpointMismatchException(path, missing, unexpected, misShaped, misTyped);

            using (no_grad())
            {
                foreach (var linear in plan.Reinitialize)
                    CheckpointAdapter.ResetLinear(linear);
                foreach (var (key, destination) in target)
                {
                    if (plan.KeepModule.Contains(key))
                        continue;
                    var source = Source(key);
                    if (source.dtype == destination.dtype)
                        destination.copy_(source);
                    else
                    {
                        using var converted = source.to_type(destination.dtype);
                        destination.copy_(converted);
                    }
                }
            }

            var dtypes = file.Values.Select(t => t.dtype.ToString()).Distinct().OrderBy(d => d, StringComparer.Ordinal).ToList();
            return new CheckpointLoadResult(path, format, target.Count - plan.KeepModule.Count, dtypes) { Adaptations = plan.Adaptations.ToList() };
        }
        finally
        {
            foreach (var tensor in file.Values)
                tensor.Dispose();
        }
    }

    /// <summary>
    /// Saves a module's state_dict in PyTorch's format (<c>.safetensors</c> by extension, otherwise a
    /// torch.save file). The file appears whole or not at all: it is written beside the target and
    /// moved into place.
    /// </summary>
    public static void Save(nn.Module module, string path)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // Both formats store each tensor's values in row-major order, which PyBridge reads straight
        // from memory: a fused model's channels-last weights are written from contiguous copies.
        var stateDict = module.state_dict().ToDictionary(e => e.Key, e => e.Value.contiguous());
        // A unique name: two saves to one path never share a temporary file.
        var full = Path.GetFullPath(path);
        var partial = Path.Combine(Path.GetDirectoryName(full) ?? ".", $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.partial");
        try
        {
            using (var stream = File.Create(partial))
            {
                if (path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
                    Safetensors.SaveStateDict(stream, stateDict, leaveOpen: true);
                else
                    PyTorchPickler.PickleStateDict(stream, stateDict, leaveOpen: true);
            }

            File.Move(partial, full, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    private static bool IsFloating(ScalarType type) => type is ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Float32 or ScalarType.Float64;

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";
}
