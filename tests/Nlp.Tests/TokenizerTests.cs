using SSeg.Ingest.Nlp.Tokenization;

namespace SSeg.Nlp.Tests;

public class TokenizerTests
{
    private static string[] Words(string text) => PtbTokenizer.Tokenize(text).Select(t => text.Substring(t.Start, t.Length)).ToArray();

    [Theory]
    // CC3M: lowercased, already tokenized, hypernyms for names.
    [InlineData("actor attends the premiere .", "actor|attends|the|premiere|.")]
    [InlineData("the dog 's ball on a sunny day , outside", "the|dog|'s|ball|on|a|sunny|day|,|outside")]
    [InlineData("football player celebrates with his teammates after scoring a goal", "football|player|celebrates|with|his|teammates|after|scoring|a|goal")]
    // CC12M: raw alt-text with <PERSON>.
    [InlineData("Photo <PERSON>, Manga Quotes, Anime Art", "Photo|<PERSON>|,|Manga|Quotes|,|Anime|Art")]
    [InlineData("<PERSON>'s new album & tour: 2019", "<PERSON>|'s|new|album|&|tour|:|2019")]
    [InlineData("Chair (Vintage) - $1,250.00!", "Chair|(|Vintage|)|-|$|1,250.00|!")]
    // RedCaps: lowercased titles with <usr>.
    [InlineData("my cat judging me, thanks <usr>", "my|cat|judging|me|,|thanks|<usr>")]
    [InlineData("i can't believe it's not butter", "i|ca|n't|believe|it|'s|not|butter")]
    public void Splits_each_source_style(string text, string expected) => Assert.Equal(expected.Split('|'), Words(text));

    [Theory]
    [InlineData("Don't", "Do|n't")]
    [InlineData("won't", "wo|n't")]
    [InlineData("cannot", "can|not")]
    [InlineData("gonna", "gon|na")]
    [InlineData("we're they'll I've she'd I'm", "we|'re|they|'ll|I|'ve|she|'d|I|'m")]
    [InlineData("John’s dog", "John|’s|dog")]
    [InlineData("the dogs' owner", "the|dogs|'|owner")]
    [InlineData("O'Brien rock'n'roll", "O'Brien|rock'n'roll")]
    public void Splits_clitics(string text, string expected) => Assert.Equal(expected.Split('|'), Words(text));

    [Theory]
    [InlineData("see https://example.com/a.jpg?x=1&y=2.", "see|https://example.com/a.jpg?x=1&y=2|.")]
    [InlineData("(www.flickr.com/photos/foo)", "(|www.flickr.com/photos/foo|)")]
    [InlineData("mail me at john.doe@example.org!", "mail|me|at|john.doe@example.org|!")]
    [InlineData("3.14 12:30 1,000,000 50% 713-853-3989", "3.14|12:30|1,000,000|50|%|713-853-3989")]
    [InlineData("great day :) :-( <3", "great|day|:)|:-(|<3")]
    [InlineData("Mr. Smith lives in the U.S. now.", "Mr.|Smith|lives|in|the|U.S.|now|.")]
    [InlineData("a 15-year term, e-mail me", "a|15|-|year|term|,|e-mail|me")]
    [InlineData("wait...what?!", "wait|...|what|?|!")]
    [InlineData("and/or #sunset @friend", "and/or|#sunset|@friend")]
    public void Keeps_urls_numbers_emoticons_and_abbreviations_whole(string text, string expected) => Assert.Equal(expected.Split('|'), Words(text));

    [Fact]
    public void Marks_token_kinds()
    {
        var text = "<PERSON> and <usr> at http://a.b/c :)";
        var kinds = PtbTokenizer.Tokenize(text).Select(t => t.Kind).ToArray();
        Assert.Equal([TokenKind.PersonPlaceholder, TokenKind.Word, TokenKind.UserPlaceholder, TokenKind.Word, TokenKind.Url, TokenKind.Emoticon], kinds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \t\n ")]
    [InlineData("\u0000\u0001\u200B\uFEFF")]
    public void Yields_nothing_for_blank_or_invisible_text(string text) => Assert.Empty(PtbTokenizer.Tokenize(text));

    [Fact]
    public void Treats_control_characters_and_lone_surrogates_as_separators()
    {
        Assert.Equal(["a", "b", "c", "d"], Words("a\u0007b\uD800c\uDC00d"));
        Assert.Equal(["dog", "🐶", "!"], Words("dog 🐶!"));
        Assert.Equal(["東京", "の", "猫"], Words("東京 の 猫"));
    }

    [Fact]
    public void Tokens_cover_the_text_without_overlap()
    {
        var text = "A man's hat, http://x.y/z?q=1 <PERSON>;  (can't) 1,000.5% ... :-D naïve café";
        int last = 0;
        foreach (var t in PtbTokenizer.Tokenize(text))
        {
            Assert.True(t.Start >= last && t.Length > 0);
            Assert.False(string.IsNullOrWhiteSpace(text.Substring(t.Start, t.Length)));
            last = t.End;
        }
    }
}
