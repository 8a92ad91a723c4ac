using System;
using System.IO;
using System.Security.Cryptography;

namespace InceptionDsl.Reference;

/// <summary>A weights file whose SHA-256 is not the one its catalogue entry gives.</summary>
public sealed class CheckpointHashException(string path, string expected, string actual)
    : Exception($"{path}: SHA-256 {actual} does not match the expected {expected}; the file is not the published weights (or is damaged).")
{
    /// <summary>The file checked.</summary>
    public string Path { get; } = path;

    /// <summary>The expected hash (or its prefix), lower case.</summary>
    public string Expected { get; } = expected;

    /// <summary>The file's full hash, lower case.</summary>
    public string Actual { get; } = actual;
}

/// <summary>SHA-256 of weights files, compared in full or by the prefix torchvision puts in its file names.</summary>
public static class CheckpointHash
{
    /// <summary>Fewest hex digits of a prefix that counts as a check (torchvision's file names carry 8).</summary>
    public const int MinPrefix = 8;

    /// <summary>The file's SHA-256 as lower-case hex.</summary>
    public static string Compute(string path)
    {
        using var stream = SafeFiles.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Throws <see cref="CheckpointHashException"/> unless the file's SHA-256 starts with <paramref name="expected"/> (8 to 64 hex digits).</summary>
    public static void Verify(string path, string expected)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var want = expected.Trim().ToLowerInvariant();
        if (want.Length is < MinPrefix or > 64 || !System.Linq.Enumerable.All(want, Uri.IsHexDigit))
            throw new ArgumentException($"a SHA-256 is {MinPrefix} to 64 hex digits, not '{expected}'", nameof(expected));
        var actual = Compute(path);
        if (!actual.StartsWith(want, StringComparison.Ordinal))
            throw new CheckpointHashException(path, want, actual);
    }
}
