using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InceptionDsl.Contracts;
using InceptionDsl.Reference;
using static TorchSharp.torch;

namespace InceptionDsl.Training;

/// <summary>
/// The settings a checkpoint can only be resumed with, recorded in checkpoint.json: they shape the model's weights
/// (classes, input channels, built aux heads) or the optimizer's parameter groups and state (frozen stages, layer
/// decay, weight decay, which the optimizer state stores), or what training draws (drop-path), so a run resumed with
/// other values would not continue the run it says it continues. Everything else (epochs to extend a run, the
/// learning rate and schedule, the batch size, label smoothing) may change on resume.
/// </summary>
public sealed record ResumeSettings(long Classes, long InChannels, string AuxHeads, int FreezeStages, double LayerDecay, double DropPath, double WeightDecay)
{
    /// <summary>The settings of a run of <paramref name="model"/> with <paramref name="options"/>, read from the model itself.</summary>
    public static ResumeSettings Of(nn.Module model, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var declared = (model as IGeneratedModel)?.ModelInfo.AuxHeads.Select(h => h.Name).ToHashSet(StringComparer.Ordinal) ?? new HashSet<string>();
        var built = model.named_children().Select(c => c.name).Where(declared.Contains).ToList();
        return new ResumeSettings(
            CheckpointAdapter.Classifier(model)?.Linear.out_features ?? 0,
            CheckpointAdapter.FirstConvolution(model)?.Conv.in_channels ?? 0,
            built.Count == 0 ? "none" : string.Join(",", built),
            options.FreezeStages, options.LayerDecay, options.DropPath, options.WeightDecay);
    }

    /// <summary>The settings that differ from <paramref name="given"/> (the run now), in declaration order.</summary>
    public IReadOnlyList<ResumeSettingChange> ChangesTo(ResumeSettings given)
    {
        ArgumentNullException.ThrowIfNull(given);
        var changes = new List<ResumeSettingChange>();
        void Compare<T>(string setting, T stored, T now)
        {
            if (!EqualityComparer<T>.Default.Equals(stored, now))
                changes.Add(new ResumeSettingChange(setting, Text(stored), Text(now)));
        }

        Compare(nameof(Classes), Classes, given.Classes);
        Compare(nameof(InChannels), InChannels, given.InChannels);
        Compare(nameof(AuxHeads), AuxHeads, given.AuxHeads);
        Compare(nameof(FreezeStages), FreezeStages, given.FreezeStages);
        Compare(nameof(LayerDecay), LayerDecay, given.LayerDecay);
        Compare(nameof(DropPath), DropPath, given.DropPath);
        Compare(nameof(WeightDecay), WeightDecay, given.WeightDecay);
        return changes;
    }

    private static string Text<T>(T value) => value is IFormattable formattable ? formattable.ToString(null, CultureInfo.InvariantCulture) : value?.ToString() ?? "";
}

/// <summary>One setting a checkpoint was written with (<paramref name="Stored"/>) and the value of the run resuming it.</summary>
/// <param name="Setting">The <see cref="ResumeSettings"/> property (the model's name is <c>Model</c>).</param>
public sealed record ResumeSettingChange(string Setting, string Stored, string Given);

/// <summary>
/// A checkpoint cannot be resumed: the run resuming it has other settings (<see cref="ResumeSettings"/>) or another model.
/// Nothing was loaded.
/// </summary>
public sealed class ResumeSettingsException(string checkpointDir, IReadOnlyList<ResumeSettingChange> changes)
    : InvalidOperationException($"the checkpoint in '{checkpointDir}' was written with other settings: "
        + string.Join(", ", changes.Select(c => $"{c.Setting} {c.Stored} (given {c.Given})"))
        + "; resume with the checkpoint's values, or start a new run in another folder")
{
    /// <summary>The checkpoint folder.</summary>
    public string CheckpointDir { get; } = checkpointDir;

    /// <summary>Each setting that differs.</summary>
    public IReadOnlyList<ResumeSettingChange> Changes { get; } = changes;
}
