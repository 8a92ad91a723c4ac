using System;
using System.Runtime.InteropServices;

namespace InceptionDsl.Reference;

/// <summary>Exception messages fit for one line of output: libtorch's C++ backtrace is cut off.</summary>
public static class ErrorText
{
    /// <summary>
    /// The message up to libtorch's "Exception raised from ..." / "frame #0" backtrace, on one line.
    /// A native (libtorch) error is marked as such; a managed one keeps its message.
    /// </summary>
    public static string Of(Exception error)
    {
        var message = error.Message;
        foreach (var marker in new[] { "Exception raised from", "\nframe #" })
        {
            int cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut >= 0)
                message = message.Substring(0, cut);
        }

        message = string.Join(" ", message.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries)).Trim();
        return error is ExternalException ? "libtorch: " + message : message;
    }
}
