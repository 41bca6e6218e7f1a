using SSeg.Ingest.Nlp;

namespace SSeg.Nlp.Tests;

public class CaptionWordsTests
{
    [Theory]
    // CC3M style (lowercased, tokenized, hypernyms).
    [InlineData("actor attends the premiere .", "actor|premiere", "attends")]
    [InlineData("a dog running on the beach", "dog|beach", "running")]
    [InlineData("football player celebrates with his teammates after scoring a goal", "football|player|teammates|goal", "celebrates|scoring")]
    [InlineData("person walks her dog in the park", "person|dog|park", "walks")]
    // CC12M style (raw alt-text, <PERSON>).
    [InlineData("Photo of <PERSON> holding a cup of coffee", "Photo|person|cup|coffee", "holding")]
    [InlineData("A red car parked in front of the house.", "car|front|house", "parked")]
    // RedCaps style (lowercased title, <usr>).
    [InlineData("my cat sleeping on the couch, thanks <usr>", "cat|couch|thanks", "sleeping")]
    [InlineData("i made a birthday cake for my daughter", "birthday|cake|daughter", "made")]
    public void Keeps_nouns_and_verbs_in_order(string caption, string nouns, string verbs)
    {
        var (n, v) = CaptionWords.Extract(caption);
        Assert.Equal(nouns.Split('|'), n);
        Assert.Equal(verbs.Split('|'), v);
    }

    [Fact]
    public void Adjectives_determiners_and_plural_proper_nouns_are_not_kept()
    {
        var (nouns, verbs) = CaptionWords.Extract("the big red balloon");
        Assert.Equal(["balloon"], nouns);
        Assert.Empty(verbs);
    }

    [Theory]
    [InlineData("two dogs were running across the fields", "dog|field", "be|run")]
    [InlineData("children played with the knives and boxes", "child|knife|box", "play")]
    [InlineData("Women carrying baskets", "woman|basket", "carry")]
    [InlineData("a man sitting on the bench", "man|bench", "sit")]
    public void Lemma_option_gives_dictionary_forms(string caption, string nouns, string verbs)
    {
        var (n, v) = CaptionWords.Extract(caption, lemmatize: true);
        Assert.Equal(nouns.Split('|'), n);
        Assert.Equal(verbs.Split('|'), v);
    }

    [Fact]
    public void Gives_the_same_answers_from_many_threads()
    {
        var captions = Enumerable.Range(0, 400).Select(i => $"a dog number {i} chasing {i % 7} cats in the garden").ToArray();
        var expected = captions.Select(c => CaptionWords.Extract(c)).ToArray();
        var results = new (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs)[captions.Length];
        Parallel.For(0, captions.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = CaptionWords.Extract(captions[i]));
        for (int i = 0; i < captions.Length; i++)
        {
            Assert.Equal(expected[i].Nouns, results[i].Nouns);
            Assert.Equal(expected[i].Verbs, results[i].Verbs);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("    ")]
    [InlineData("\t\r\n")]
    [InlineData("\u0000\u0001\u0002")]
    [InlineData("\uD800\uDC00\uDFFF\uD83D")]
    [InlineData("..., !!! ???")]
    public void Blank_or_junk_captions_give_empty_lists(string caption)
    {
        var (nouns, verbs) = CaptionWords.Extract(caption);
        Assert.Empty(nouns);
        Assert.Empty(verbs);
    }

    [Fact]
    public void Null_caption_gives_empty_lists()
    {
        var (nouns, verbs) = CaptionWords.Default.Extract(null);
        Assert.Empty(nouns);
        Assert.Empty(verbs);
    }

    [Fact]
    public void Survives_huge_odd_and_foreign_captions()
    {
        var huge = string.Concat(Enumerable.Repeat("a dog on a skateboard with a hat ", 3200)); // ~100 kB
        var (nouns, verbs) = CaptionWords.Extract(huge);
        Assert.Equal(3 * 3200, nouns.Count);
        Assert.Equal("dog", nouns[0]);

        var (oneWordNouns, oneWordVerbs) = CaptionWords.Extract(new string('x', 100_000));
        Assert.True(oneWordNouns.Count + oneWordVerbs.Count <= 1);

        var rnd = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            var chars = Enumerable.Range(0, rnd.Next(1, 300)).Select(_ => (char)rnd.Next(0, 0x10000)).ToArray();
            var (n, v) = CaptionWords.Extract(new string(chars), lemmatize: i % 2 == 0);
            Assert.All(n.Concat(v), w => Assert.False(string.IsNullOrEmpty(w)));
        }

        var (jn, _) = CaptionWords.Extract("東京タワーの夜景 Ночная Москва 🌃 café crème", lemmatize: true);
        Assert.NotNull(jn);
    }

    [Fact]
    public void Urls_emoticons_and_user_placeholders_are_never_kept()
    {
        var (nouns, verbs) = CaptionWords.Extract("check out http://example.com/dog.jpg :) <usr> <usr>");
        Assert.DoesNotContain(nouns.Concat(verbs), w => w.Contains("http") || w.Contains(":)") || w.Contains("usr"));
    }
}
