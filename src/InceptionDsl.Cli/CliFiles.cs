using System.Buffers;
using System.Text;
using InceptionDsl.Reference;
using InceptionDsl.Syntax;

namespace InceptionDsl.Cli;

/// <summary>
/// A bad file or path given on the command line: <see cref="Exception.Message"/> is one line,
/// <c>path(line,col): detail</c> where there is a position, else <c>path: detail</c>.
/// </summary>
public sealed class CliInputException(string path, string detail, int line = 0, int column = 0, string id = "IDSL001")
    : Exception(line > 0 ? $"{path}({line},{column}): {detail}" : $"{path}: {detail}")
{
    /// <summary>The diagnostic id <c>check</c> prints it with: IDSL001 (unreadable), IDSL012 (over a limit).</summary>
    public string Id { get; } = id;

    public string Path { get; } = path;
    public string Detail { get; } = detail;
    public int Line { get; } = line;
    public int Column { get; } = column;
}

/// <summary>Reading spec files and writing output files on behalf of the commands, with precise errors.</summary>
public static class CliFiles
{
    /// <summary>The most bytes a spec file may have (a spec is at most <see cref="SpecLimits.MaxFileChars"/> characters, 4 bytes each in UTF-8).</summary>
    public const long MaxSpecBytes = 4L * SpecLimits.MaxFileChars;

    /// <summary>
    /// Why <paramref name="path"/> is not a readable input file ("file not found", "is a folder, not a file",
    /// "is a named pipe (FIFO), not a regular file; it was not read", a device, a broken link), or null.
    /// Decided from the file's type alone: the file is not opened (see <see cref="Build.SpecFileKind"/>).
    /// </summary>
    public static string? InputProblem(string? path) => SafeFiles.InputProblem(path);

    /// <summary>
    /// The text of a spec file: UTF-8 (or UTF-16/32 with a byte-order mark, as YAML allows). A folder, a missing or
    /// unreadable file, a file too large, bytes that are not UTF-8 or a NUL character throw <see cref="CliInputException"/>.
    /// </summary>
    public static string ReadSpec(string path)
    {
        if (InputProblem(path) is { } problem)
            throw new CliInputException(path, problem);
        byte[] bytes;
        try
        {
            long length = new FileInfo(path).Length;
            if (length > MaxSpecBytes)
                throw new CliInputException(path, $"The file's size ({length} bytes) exceeds the limit of {SpecLimits.MaxFileChars} characters", 1, 1, "IDSL012");
            bytes = ReadAtMost(path, MaxSpecBytes);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new CliInputException(path, "cannot read the file: " + error.Message);
        }

        return DecodeSpec(path, bytes);
    }

    /// <summary>
    /// The file's bytes, reading no more than <paramref name="limit"/> + 1 whatever its size claims (a file
    /// swapped for a device after the type check still cannot make the command read gigabytes).
    /// </summary>
    private static byte[] ReadAtMost(string path, long limit)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit + 1 - buffer.Length))) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > limit)
                throw new CliInputException(path, $"The file's size (more than {limit} bytes) exceeds the limit of {SpecLimits.MaxFileChars} characters", 1, 1, "IDSL012");
        }

        return buffer.ToArray();
    }

    /// <summary>Decodes a spec's bytes strictly; see <see cref="ReadSpec"/>.</summary>
    public static string DecodeSpec(string path, byte[] bytes)
    {
        string text;
        var (encoding, bom) = ByteOrderMark(bytes);
        if (encoding is not null)
        {
            try
            {
                text = encoding.GetString(bytes, bom, bytes.Length - bom);
            }
            catch (DecoderFallbackException)
            {
                throw new CliInputException(path, $"the file starts with a {encoding.WebName} byte-order mark but is not valid {encoding.WebName} text", 1, 1);
            }
        }
        else
        {
            if (FirstInvalidUtf8(bytes.AsSpan(bom), out byte bad) is { } at)
                throw new CliInputException(path, $"the file is not UTF-8 text (byte 0x{bad:X2}); a spec is YAML, saved as UTF-8", at.Line, at.Column);
            text = Encoding.UTF8.GetString(bytes, bom, bytes.Length - bom);
        }

        int nul = text.IndexOf('\0');
        if (nul >= 0)
        {
            var (line, column) = Position(text, nul);
            throw new CliInputException(path, "the file holds a NUL character: binary data, not a YAML spec", line, column);
        }

        return text;
    }

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> whole or not at all: into a temporary file beside it, then
    /// moved over it. A folder, a missing folder or an unwritable place throws <see cref="CliInputException"/>.
    /// </summary>
    public static void WriteOutput(string path, string text) => WriteOutput(path, temporary => File.WriteAllText(temporary, text));

    /// <summary>As <see cref="WriteOutput(string, string)"/> for bytes (an exported model).</summary>
    public static void WriteOutput(string path, byte[] bytes) => WriteOutput(path, temporary => File.WriteAllBytes(temporary, bytes));

    /// <summary>As <see cref="WriteOutput(string, string)"/> for a writer of a stream (an ONNX model's external data).</summary>
    public static void WriteOutput(string path, Action<Stream> write) => WriteOutput(path, (string temporary) =>
    {
        using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write);
        write(stream);
    });

    private static void WriteOutput(string path, Action<string> write)
    {
        if (string.IsNullOrWhiteSpace(path))
            throw new CliInputException("--output", "the path is empty; give a file name");
        // The one output rule (SafeFiles): an existing folder, pipe, device, socket or link is refused, never replaced.
        if (SafeFiles.OutputProblem(path) is { } problem)
            throw new CliInputException(path, problem);
        string full = System.IO.Path.GetFullPath(path);
        string folder = System.IO.Path.GetDirectoryName(full) ?? ".";
        if (File.Exists(folder))
            throw new CliInputException(path, $"cannot write: {folder} is a file, not a folder");
        if (!Directory.Exists(folder))
            throw new CliInputException(path, $"cannot write: the folder {folder} does not exist");
        string temporary = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            try
            {
                write(temporary);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException(path, $"cannot write: the folder {folder} does not accept new files ({Reason(error)})");
            }

            try
            {
                if (SafeFiles.OutputProblem(path) is { } swapped)
                    throw new CliInputException(path, swapped);
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                throw new CliInputException(path, $"cannot write: the file cannot be replaced ({Reason(error)}); it is unchanged");
            }
        }
        finally
        {
            TryDelete(temporary);
        }
    }

    private static string Reason(Exception error) => error is UnauthorizedAccessException ? "permission denied" : error.Message;

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            // Nothing was left there that matters: the target was either replaced whole or not touched.
        }
    }

    private static (Encoding? Encoding, int Length) ByteOrderMark(byte[] b)
    {
        if (b.Length >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0) return (new UTF32Encoding(false, false, true), 4);
        if (b.Length >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF) return (new UTF32Encoding(true, false, true), 4);
        if (b.Length >= 2 && b[0] == 0xFF && b[1] == 0xFE) return (new UnicodeEncoding(false, false, true), 2);
        if (b.Length >= 2 && b[0] == 0xFE && b[1] == 0xFF) return (new UnicodeEncoding(true, false, true), 2);
        if (b.Length >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF) return (null, 3);
        return (null, 0);
    }

    /// <summary>The 1-based line and column (in characters) of the first byte that is not UTF-8, or null.</summary>
    private static (int Line, int Column)? FirstInvalidUtf8(ReadOnlySpan<byte> bytes, out byte bad)
    {
        int line = 1, column = 1;
        for (int i = 0; i < bytes.Length;)
        {
            if (Rune.DecodeFromUtf8(bytes[i..], out var rune, out int consumed) != OperationStatus.Done)
            {
                bad = bytes[i];
                return (line, column);
            }

            if (rune.Value == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }

            i += consumed;
        }

        bad = 0;
        return null;
    }

    private static (int Line, int Column) Position(string text, int index)
    {
        int line = 1, start = 0;
        for (int i = 0; i < index; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                start = i + 1;
            }
        }

        return (line, index - start + 1);
    }
}
