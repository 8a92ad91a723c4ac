// What kind of file a spec path names, decided WITHOUT opening it: opening a named pipe (FIFO) blocks
// until a writer comes, and a character device such as /dev/zero never ends. Shared, as this one source
// file, by the build (InceptionDsl.SpecFiles.targets compiles it as an inline MSBuild task that drops such
// files before the compiler opens its AdditionalFiles) and by the inceptiondsl command (CliFiles), which
// defines INCEPTIONDSL_NO_MSBUILD_TASK. Plain netstandard2.0 C#: the inline task compiles against it.
#nullable enable
using System;
using System.IO;
using System.Runtime.InteropServices;

namespace InceptionDsl.Build
{
    /// <summary>Tells regular files from folders, pipes, devices, sockets and broken links, by path alone.</summary>
    /// <remarks>Internal: the file is compiled into each assembly that needs it (the build's task, the CLI, the runtime library).</remarks>
    internal static class SpecFileKind
    {
        // The file-type bits of .NET's own portable stat result (the same on every Unix .NET runs on).
        private const int TypeMask = 0xF000, Fifo = 0x1000, CharDevice = 0x2000, Folder = 0x4000, BlockDevice = 0x6000,
            Regular = 0x8000, Link = 0xA000, Socket = 0xC000;

        /// <summary>
        /// Why <paramref name="path"/> cannot be read as a spec ("file not found", "is a folder, not a file",
        /// "is a named pipe (FIFO), not a regular file", ...), or null for a regular file (a link to one is fine).
        /// </summary>
        public static string? Problem(string? path)
        {
            if (string.IsNullOrWhiteSpace(path))
                return "no file given (the path is empty)";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !(FileType(path!, followLinks: true) is int type))
                return ManagedProblem(path!);
            switch (type)
            {
                case Regular:
                    return null;
                case Folder:
                    return "is a folder, not a file";
                case Fifo:
                    return "is a named pipe (FIFO), not a regular file; it was not read";
                case CharDevice:
                    return "is a character device (such as /dev/zero), not a regular file; it was not read";
                case BlockDevice:
                    return "is a block device, not a regular file; it was not read";
                case Socket:
                    return "is a socket, not a regular file; it was not read";
                case -1:
                    return FileType(path!, followLinks: false) == Link
                        ? "is a symbolic link that leads nowhere (its target is missing, or the links loop)"
                        : "file not found";
                default:
                    return "is not a regular file; it was not read";
            }
        }

        /// <summary>
        /// Why <paramref name="path"/> cannot be replaced by a newly written file, or null when it is missing or a regular
        /// file. Decided from the path itself (a link is not followed): a folder, a named pipe, a device or a socket would be
        /// replaced by a regular file (or written into), and a symbolic link would be replaced by a file instead of its target.
        /// </summary>
        public static string? OutputProblem(string? path)
        {
            if (string.IsNullOrWhiteSpace(path))
                return "no file given (the path is empty)";
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) || !(FileType(path!, followLinks: false) is int type))
                return Directory.Exists(path) ? "is a folder; give a file name" : null;
            switch (type)
            {
                case -1:
                case Regular:
                    return null;
                case Folder:
                    return "is a folder; give a file name";
                case Link:
                    return "is a symbolic link; it is not replaced by a file: give the path of the file itself";
                case Fifo:
                    return "is a named pipe (FIFO), not a regular file; nothing was written";
                case CharDevice:
                    return "is a character device (such as /dev/null), not a regular file; nothing was written";
                case BlockDevice:
                    return "is a block device, not a regular file; nothing was written";
                case Socket:
                    return "is a socket, not a regular file; nothing was written";
                default:
                    return "is not a regular file; nothing was written";
            }
        }

        /// <summary>Whether <paramref name="path"/> is itself a symbolic link (not followed); false where stat is unavailable.</summary>
        public static bool IsLink(string path) =>
            !RuntimeInformation.IsOSPlatform(OSPlatform.Windows) && FileType(path, followLinks: false) == Link;

        /// <summary>Where the native stat is not available (Windows, a runtime without it): folders and missing files only.</summary>
        private static string? ManagedProblem(string path)
        {
            if (Directory.Exists(path))
                return "is a folder, not a file";
            return File.Exists(path) ? null : "file not found";
        }

        /// <summary>The type bits of the file (following links or not), -1 when stat fails (missing, dangling, looping), null when stat is unavailable.</summary>
        private static int? FileType(string path, bool followLinks)
        {
            // .NET's FileStatus starts with two int32s: flags, then mode. 512 bytes leave room for any later fields.
            var status = new byte[512];
            try
            {
                int result = followLinks ? NativeStat(path, status) : NativeLinkStat(path, status);
                return result != 0 ? -1 : BitConverter.ToInt32(status, 4) & TypeMask;
            }
            catch (Exception error) when (error is DllNotFoundException or EntryPointNotFoundException)
            {
                return null;
            }
        }

        // Paths go as UTF-8 (ANSI marshalling is UTF-8 on every Unix .NET; netstandard2.0 lacks LPUTF8Str to say so).
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        private static extern int NativeStat(string path, byte[] status);

        [DllImport("libSystem.Native", EntryPoint = "SystemNative_LStat", SetLastError = true)]
        private static extern int NativeLinkStat(string path, byte[] status);
    }
}

#if !INCEPTIONDSL_NO_MSBUILD_TASK
/// <summary>
/// The inline task of InceptionDsl.SpecFiles.targets: reports each spec that is not a regular file as
/// IDSL001 with its path and returns it in <see cref="Refused"/>, so the target removes it from the
/// compiler's AdditionalFiles before the compiler can open it.
/// </summary>
public sealed class InceptionDslCheckSpecFiles : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public Microsoft.Build.Framework.ITaskItem[] Files { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    [Microsoft.Build.Framework.Output]
    public Microsoft.Build.Framework.ITaskItem[] Refused { get; set; } = Array.Empty<Microsoft.Build.Framework.ITaskItem>();

    public override bool Execute()
    {
        var refused = new System.Collections.Generic.List<Microsoft.Build.Framework.ITaskItem>();
        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            if (InceptionDsl.Build.SpecFileKind.Problem(path) is string problem)
            {
                Log.LogError(null, "IDSL001", null, path, 0, 0, 0, 0, "{0}: {1}", path, problem);
                refused.Add(item);
            }
        }

        Refused = refused.ToArray();
        return !Log.HasLoggedErrors;
    }
}
#endif
