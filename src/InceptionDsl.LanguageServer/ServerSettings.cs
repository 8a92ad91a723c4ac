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

    /// <summary>These settings updated from a JSON object; <c>inceptiondsl</c> nested or not; unknown members ignored.</summary>
    public ServerSettings With(JsonElement? json) => With(json, null);

    /// <summary>
    /// As <see cref="With(JsonElement?)"/>; a member of the wrong type or out of range keeps its current value, and
    /// <paramref name="warnings"/> (when given) receives one line saying so, so a client's bad option never fails the
    /// request that carries it.
    /// </summary>
    public ServerSettings With(JsonElement? json, List<string>? warnings)
    {
        if (json is not { } element || element.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return this;
        if (element.ValueKind != JsonValueKind.Object)
        {
            warnings?.Add($"the settings must be an object, not {element.ValueKind.ToString().ToLowerInvariant()}: the defaults stay");
            return this;
        }

        if (element.TryGetProperty("inceptiondsl", out var nested) && nested.ValueKind == JsonValueKind.Object)
            element = nested;
        var result = this;
        if (element.TryGetProperty("inlayHints", out var hints))
        {
            if (hints.ValueKind is JsonValueKind.True or JsonValueKind.False)
                result = result with { InlayHints = hints.GetBoolean() };
            else
                warnings?.Add($"'inlayHints' must be true or false: {InlayHints} kept");
        }

        if (element.TryGetProperty("variant", out var variant))
        {
            if (variant.ValueKind is JsonValueKind.String or JsonValueKind.Null)
                result = result with { Variant = variant.GetString() };
            else
                warnings?.Add("'variant' must be a model name (a string): the first model is shown");
        }

        if (element.TryGetProperty("debounceMs", out var debounce))
        {
            if (debounce.ValueKind == JsonValueKind.Number && debounce.TryGetInt32(out int ms) && ms is >= 0 and <= 10_000)
                result = result with { DebounceMs = ms };
            else
                warnings?.Add($"'debounceMs' must be a whole number from 0 to 10000: {DebounceMs} kept");
        }

        return result;
    }
}
