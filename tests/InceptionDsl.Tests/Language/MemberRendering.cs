using InceptionDsl.Emit;
using InceptionDsl.Semantics;

namespace InceptionDsl.Tests.Language;

/// <summary>What the TorchSharp renderer writes for a member: the C# these tests read.</summary>
internal static class MemberRendering
{
    public static string Init(this MemberIR member) => TorchSharpModules.InitOf(member.Module);
}
