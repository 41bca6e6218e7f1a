using System.Net;
using System.Text;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// Text from datasets, runs and forms as HTML: encoded, and with Unicode bidirectional controls shown as
/// <c>[U+202E]</c> instead of applied. A caption or path holding a right-to-left override would otherwise display
/// reversed ("gpj.exe" as "exe.jpg"), and the dashboard must show what is stored, not what it pretends to be.
/// </summary>
public static class DisplayText
{
    public static string Html(string? text)
    {
        var encoded = WebUtility.HtmlEncode(text ?? "");
        if (!encoded.Any(IsBidiControl)) return encoded;
        var visible = new StringBuilder(encoded.Length + 16);
        foreach (var c in encoded)
            if (IsBidiControl(c)) visible.Append("[U+").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)).Append(']');
            else visible.Append(c);
        return visible.ToString();
    }

    /// <summary>The explicit directional marks, embeddings, overrides and isolates (Unicode Bidi_Control).</summary>
    public static bool IsBidiControl(char c) => c is '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
