using System.Net;
using System.Text.RegularExpressions;

namespace SSeg.Train.Text;

/// <summary>CLIP's text cleaning and pre-tokenisation (docs/method.md §2.4). ftfy is not available in .NET: the
/// text is NFC-normalised instead, then HTML-unescaped twice, whitespace collapsed, stripped and lower-cased.</summary>
public static partial class TextNormalizer
{
    public const string StartOfText = "<|startoftext|>";
    public const string EndOfText = "<|endoftext|>";

    public static string Clean(string text)
    {
        var t = text.Normalize(System.Text.NormalizationForm.FormC);
        t = WebUtility.HtmlDecode(WebUtility.HtmlDecode(t)).Trim();
        t = Whitespace().Replace(t, " ").Trim();
        return t.ToLowerInvariant();
    }

    /// <summary>Pieces: special tokens | 's 't 're 've 'm 'll 'd | letter runs | single digits | other non-space runs.</summary>
    public static IEnumerable<string> PreTokenize(string cleaned)
    {
        foreach (Match m in Pieces().Matches(cleaned)) yield return m.Value;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"<\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+", RegexOptions.IgnoreCase)]
    private static partial Regex Pieces();
}
