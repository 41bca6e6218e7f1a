using SSeg.Pipelines.Dashboard;
using Xunit;

namespace SSeg.Pipelines.Tests;

/// <summary>Captions and paths on dashboard pages: HTML-encoded, with bidirectional controls shown, not applied.</summary>
public sealed class DisplayTextTests
{
    [Theory]
    [InlineData("cat.jpg", "cat.jpg")]
    [InlineData("<b>\"x\" & y</b>", "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;")]
    [InlineData("photo\u202Egpj.exe", "photo[U+202E]gpj.exe")]
    [InlineData("\u2067a\u2069 \u200Fb\u061C", "[U+2067]a[U+2069] [U+200F]b[U+061C]")]
    [InlineData("\u05E9\u05DC\u05D5\u05DD", "\u05E9\u05DC\u05D5\u05DD")]
    public void Text_is_encoded_and_bidi_controls_are_visible(string text, string html) => Assert.Equal(html, DisplayText.Html(text));

    [Fact]
    public void Null_is_empty() => Assert.Equal("", DisplayText.Html(null));
}
