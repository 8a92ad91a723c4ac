using System.Text;
using Xunit.Abstractions;

namespace InceptionDsl.Tests.Support;

/// <summary>
/// A theory row holding any .NET string, lone surrogates included. xUnit serialises a string row
/// through UTF-8, where every lone surrogate becomes U+FFFD: "\uD800" and "\uDBFF" then share a test
/// ID and one of them is silently dropped ("Skipping test case with duplicate ID"). This row
/// serialises the UTF-16 code units instead, and shows itself with hidden characters escaped.
/// </summary>
public sealed class TextCase : IXunitSerializable
{
    /// <summary>For xUnit's deserialisation only.</summary>
    public TextCase()
    {
        Value = "";
    }

    public TextCase(string value) => Value = value;

    public string Value { get; private set; }

    public void Deserialize(IXunitSerializationInfo info) =>
        Value = new string(info.GetValue<int[]>("units").Select(unit => (char)unit).ToArray());

    public void Serialize(IXunitSerializationInfo info) =>
        info.AddValue("units", Value.Select(c => (int)c).ToArray());

    /// <summary>The text with control, format, surrogate and non-ASCII characters as <c>\uXXXX</c>: the test's display name.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder("\"");
        foreach (var c in Value)
            builder.Append(c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}");
        return builder.Append('"').ToString();
    }
}
