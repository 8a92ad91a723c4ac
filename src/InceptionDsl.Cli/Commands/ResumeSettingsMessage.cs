using InceptionDsl.Training;

namespace InceptionDsl.Cli.Commands;

/// <summary>The one-line error of <c>train --resume</c> when the checkpoint was written with other settings, in option names.</summary>
public static class ResumeSettingsMessage
{
    /// <summary>The option (or argument) that sets each recorded setting.</summary>
    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal)
    {
        ["Model"] = "MODEL",
        [nameof(ResumeSettings.Classes)] = "--classes",
        [nameof(ResumeSettings.InChannels)] = "--channels",
        [nameof(ResumeSettings.AuxHeads)] = "aux heads (--no-aux)",
        [nameof(ResumeSettings.FreezeStages)] = "--freeze",
        [nameof(ResumeSettings.LayerDecay)] = "--layer-decay",
        [nameof(ResumeSettings.DropPath)] = "--drop-path",
        [nameof(ResumeSettings.WeightDecay)] = "--weight-decay",
    };

    /// <summary>
    /// e.g. <c>error: --resume: the checkpoint in 'runs/a' was trained with --freeze 1 (this run: 2), --layer-decay 0.75 (this run: 1);
    /// give the checkpoint's values to continue it, or another --out folder to start a new run</c>.
    /// </summary>
    public static string Of(ResumeSettingsException error)
    {
        var changes = error.Changes.Select(c => $"{Options.GetValueOrDefault(c.Setting, c.Setting)} {c.Stored} (this run: {c.Given})");
        return $"error: --resume: the checkpoint in '{error.CheckpointDir}' was trained with {string.Join(", ", changes)}; "
            + "give the checkpoint's values to continue it, or another --out folder to start a new run";
    }
}
