using System.Text.Json;

namespace InceptionDsl.LanguageServer;

/// <summary>
/// What a client may set, in <c>initializationOptions</c> or under <c>inceptiondsl</c> in
/// <c>workspace/didChangeConfiguration</c>: <c>inlayHints</c> (bool), <c>variant</c> (the family
/// member whose shapes hints show; default the first) and <c>debounceMs</c> (delay before diagnostics).
/// </summary>
public sealed record ServerSettings(bool InlayHints = true, string? Variant = null, int DebounceMs = ServerSettings.DefaultDebounceMs)
{
    /// <summary>Long enough to skip the analyses of a burst of keystrokes, short enough to stay under 50 ms from the last one.</summary>
    public const int DefaultDebounceMs = 15;

    /// <summary>These settings updated from a JSON object; <c>inceptiondsl</c> nested or not; unknown or ill-typed members ignored.</summary>
    public ServerSettings With(JsonElement? json)
    {
        if (json is not { ValueKind: JsonValueKind.Object } element)
            return this;
        if (element.TryGetProperty("inceptiondsl", out var nested) && nested.ValueKind == JsonValueKind.Object)
            element = nested;
        var result = this;
        if (element.TryGetProperty("inlayHints", out var hints) && hints.ValueKind is JsonValueKind.True or JsonValueKind.False)
            result = result with { InlayHints = hints.GetBoolean() };
        if (element.TryGetProperty("variant", out var variant) && variant.ValueKind is JsonValueKind.String or JsonValueKind.Null)
            result = result with { Variant = variant.GetString() };
        if (element.TryGetProperty("debounceMs", out var debounce) && debounce.TryGetInt32(out int ms) && ms is >= 0 and <= 10_000)
            result = result with { DebounceMs = ms };
        return result;
    }
}
