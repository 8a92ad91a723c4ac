using InceptionDsl.Platform;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli;

/// <summary>
/// Applies <see cref="LibTorchGuard"/> before a command that runs models builds its first one, so a
/// CPU whose oneDNN miscomputes or crashes is worked around before the first convolution. Commands
/// that only read specs (check, emit, summary, explain, lsp, ...) never load libtorch.
/// </summary>
public sealed class ModelCommandGuard : ICommandInterceptor
{
    /// <summary>The commands that run models.</summary>
    private static readonly HashSet<string> RunsModels = new(StringComparer.Ordinal) { "zoo", "verify", "train", "bench", "export", "doctor" };

    public void Intercept(CommandContext context, CommandSettings settings)
    {
        if (RunsModels.Contains(context.Name))
            LibTorchGuard.EnsureApplied();
    }

    public void InterceptResult(CommandContext context, CommandSettings settings, ref int result)
    {
    }
}
