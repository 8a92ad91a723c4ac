using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using InceptionDsl.Build;

namespace InceptionDsl.Reference;

/// <summary>
/// A path that the file policy refuses: an input that is not a regular file (a named pipe would block the reader, a
/// device never ends, a link may loop), an output target that is not a regular file, or a folder walk past its
/// bounds. <see cref="Exception.Message"/> is one line, <c>path: what is wrong</c>.
/// </summary>
public sealed class UnsafeFileException(string path, string detail) : IOException($"{path}: {detail}")
{
    /// <summary>The path as given.</summary>
    public string Path { get; } = path;

    /// <summary>What is wrong, without the path.</summary>
    public string Detail { get; } = detail;
}

/// <summary>
/// The one file policy of the command and the runtime library (docs/security.md, "Links and special files"):
/// <list type="bullet">
/// <item>an input is read only when it is a regular file (a link to one is fine), decided from its type before it is
/// opened, so a named pipe or <c>/dev/zero</c> never blocks or floods the reader;</item>
/// <item>an output target that exists must be a regular file: a folder, pipe, device, socket or symbolic link is
/// refused, never replaced; a file appears whole or not at all (written beside the target, then moved over it);</item>
/// <item>a folder walk follows links to folders but visits each real folder once (a link loop ends), and stops at a
/// depth and a number of entries with an error instead of walking for ever.</item>
/// </list>
/// </summary>
public static class SafeFiles
{
    /// <summary>The deepest folder a walk descends into, below its root.</summary>
    public const int MaxWalkDepth = 32;

    /// <summary>The most entries (files and folders) one walk looks at.</summary>
    public const int MaxWalkEntries = 1_000_000;

    /// <summary>Why <paramref name="path"/> cannot be read as an input file, or null for a regular file.</summary>
    public static string? InputProblem(string? path) => SpecFileKind.Problem(path);

    /// <summary>Why <paramref name="path"/> cannot be written as an output file, or null when it is missing or a regular file.</summary>
    public static string? OutputProblem(string? path) => SpecFileKind.OutputProblem(path);

    /// <summary>Throws <see cref="UnsafeFileException"/> unless <paramref name="path"/> is a regular file.</summary>
    public static void RequireInput(string path)
    {
        if (InputProblem(path) is { } problem)
            throw new UnsafeFileException(path, problem);
    }

    /// <summary>Throws <see cref="UnsafeFileException"/> when <paramref name="path"/> exists and is not a regular file.</summary>
    public static void RequireOutput(string path)
    {
        if (OutputProblem(path) is { } problem)
            throw new UnsafeFileException(path, problem);
    }

    /// <summary>Opens a regular file for reading; anything else throws <see cref="UnsafeFileException"/> without being opened.</summary>
    public static FileStream OpenRead(string path)
    {
        RequireInput(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
    }

    /// <summary>
    /// Writes <paramref name="path"/> whole or not at all: <paramref name="write"/> fills a temporary file beside it, which
    /// is then moved over it. An existing target that is not a regular file is refused first (<see cref="RequireOutput"/>).
    /// </summary>
    public static void WriteWhole(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        WriteWhole(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
        });
    }

    /// <summary>
    /// As <see cref="WriteWhole(string, Action{Stream})"/> for a writer that takes a path (a library that writes files
    /// itself): <paramref name="writeTo"/> gets the temporary path, which ends with the target's extension.
    /// </summary>
    public static void WriteWhole(string path, Action<string> writeTo)
    {
        ArgumentNullException.ThrowIfNull(writeTo);
        RequireOutput(path);
        var full = System.IO.Path.GetFullPath(path);
        var temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full) ?? ".",
            $".{System.IO.Path.GetFileNameWithoutExtension(full)}.{Guid.NewGuid():N}.partial{System.IO.Path.GetExtension(full)}");
        try
        {
            writeTo(temporary);
            // Checked again just before the move: a target swapped for a pipe or a link meanwhile is still refused.
            RequireOutput(path);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            try
            {
                File.Delete(temporary);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                // The target was either replaced whole or not touched; a stray temporary file is all that can remain.
            }
        }
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be used as an output folder (an existing file, pipe, device or socket), or
    /// null when it is missing or a folder (a link to a folder is fine: files are written inside it).
    /// </summary>
    public static string? FolderProblem(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
            return "no folder given (the path is empty)";
        if (Directory.Exists(path))
            return null;
        if (SpecFileKind.IsLink(path!) && !File.Exists(path))
            return "is a symbolic link that leads nowhere; give a folder";
        if (!File.Exists(path))
            return null;
        return InputProblem(path) is { } problem && !problem.StartsWith("file not found", StringComparison.Ordinal)
            ? problem.Replace("; it was not read", "") + "; give a folder"
            : "is a file; give a folder";
    }

    /// <summary>
    /// The regular files under <paramref name="root"/> (recursively) that <paramref name="include"/> accepts, in ordinal
    /// order. Links to folders are followed, each real folder once (a link loop or a link to an ancestor ends there);
    /// entries that are not regular files (pipes, devices, dangling links) are left out; past
    /// <see cref="MaxWalkDepth"/> or <see cref="MaxWalkEntries"/> the walk throws <see cref="UnsafeFileException"/>.
    /// </summary>
    /// <param name="root">The folder to walk.</param>
    /// <param name="include">Which file names to take (e.g. by extension).</param>
    /// <param name="refused">When given, receives <c>path: why</c> for each included name that is not a regular file.</param>
    /// <param name="maxEntries">The most entries to look at.</param>
    public static List<string> FindFiles(string root, Func<string, bool> include, List<string>? refused = null, int maxEntries = MaxWalkEntries)
    {
        ArgumentNullException.ThrowIfNull(include);
        var found = new List<string>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        int entries = 0;
        var rootReal = RealPath(root) + System.IO.Path.DirectorySeparatorChar;
        var pending = new Stack<(string Folder, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (folder, depth) = pending.Pop();
            var real = RealPath(folder);
            // A folder seen before (a loop), or an ancestor of the root (a link upwards would walk the root again) ends there.
            if (!visited.Add(real) || (depth > 0 && rootReal.StartsWith(real + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal)))
                continue;
            IEnumerable<string> children;
            try
            {
                children = Directory.EnumerateFileSystemEntries(folder);
            }
            catch (Exception error) when (error is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children)
            {
                if (++entries > maxEntries)
                    throw new UnsafeFileException(root, $"the folder holds more than {maxEntries:N0} entries; the walk stopped there");
                if (Directory.Exists(child))
                {
                    if (depth + 1 > MaxWalkDepth)
                        throw new UnsafeFileException(child, $"folders nest deeper than {MaxWalkDepth} levels below {root}; the walk stopped there");
                    pending.Push((child, depth + 1));
                }
                else if (include(child))
                {
                    if (InputProblem(child) is { } problem)
                        refused?.Add($"{child}: {problem}");
                    else
                        found.Add(child);
                }
            }
        }

        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>The folder's path with every link resolved (the kernel's realpath), so two routes to one folder compare equal.</summary>
    private static string RealPath(string folder)
    {
        var full = System.IO.Path.GetFullPath(folder);
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            return full;
        try
        {
            var resolved = NativeRealPath(full, IntPtr.Zero);
            if (resolved == IntPtr.Zero)
                return full;
            try
            {
                return Marshal.PtrToStringUTF8(resolved) ?? full;
            }
            finally
            {
                NativeFree(resolved);
            }
        }
        catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
        {
            return full;
        }
    }

    [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
    private static extern IntPtr NativeRealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc", EntryPoint = "free")]
    private static extern void NativeFree(IntPtr pointer);
}
