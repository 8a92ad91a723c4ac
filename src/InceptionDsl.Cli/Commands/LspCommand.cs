using System.ComponentModel;
using InceptionDsl.LanguageServer;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli.Commands;

/// <summary>The language server on stdin/stdout, for editors (docs/editors.md).</summary>
public sealed class LspCommand : Command<LspCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--stdio")]
        [Description("Talk over stdin/stdout (the default and only transport; accepted because clients pass it).")]
        public bool Stdio { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        using var input = Console.OpenStandardInput();
        using var output = Console.OpenStandardOutput();
        // Each refused frame is one line on stderr (the editor's log); stdout carries only the protocol.
        return LanguageServerHost.RunAsync(input, output, log: Console.Error).GetAwaiter().GetResult();
    }
}
