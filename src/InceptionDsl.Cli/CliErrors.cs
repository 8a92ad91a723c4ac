using InceptionDsl.Reference;
using Spectre.Console;
using Spectre.Console.Cli;

namespace InceptionDsl.Cli;

/// <summary>
/// The last line of defence: an exception no command handled is one line on stderr and a non-zero exit code,
/// never a stack trace (libtorch's C++ backtrace is cut off as well).
/// </summary>
public static class CliErrors
{
    /// <summary>Spectre's exception handler: command-line errors as Spectre renders them (exit code -1), anything else as <c>error: message</c> (exit code 1).</summary>
    public static int Report(Exception exception)
    {
        if (exception is CommandAppException { Pretty: { } pretty })
        {
            AnsiConsole.Write(pretty);
            return -1;
        }

        if (exception is CommandAppException)
        {
            Console.Error.WriteLine("Error: " + Describe(exception));
            return -1;
        }

        Console.Error.WriteLine("error: " + Describe(exception));
        return 1;
    }

    /// <summary>One line: the message (an I/O error as "cannot read PATH: reason"), without native backtraces.</summary>
    public static string Describe(Exception exception, string? path = null)
    {
        var message = ErrorText.Of(exception);
        if (path is not null && exception is IOException or UnauthorizedAccessException)
            return $"cannot read {path}: {(exception is UnauthorizedAccessException ? "permission denied" : message)}";
        return message;
    }
}
