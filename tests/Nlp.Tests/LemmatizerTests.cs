using SSeg.Ingest.Nlp;

namespace SSeg.Nlp.Tests;

public class LemmatizerTests
{
    [Theory]
    [InlineData("dogs", "NNS", "dog")]
    [InlineData("berries", "NNS", "berry")]
    [InlineData("boxes", "NNS", "box")]
    [InlineData("churches", "NNS", "church")]
    [InlineData("women", "NNS", "woman")]
    [InlineData("firemen", "NNS", "fireman")]
    [InlineData("leaves", "NNS", "leaf")]
    [InlineData("movies", "NNS", "movie")]
    [InlineData("glass", "NN", "glass")]
    [InlineData("Dog", "NN", "dog")]
    [InlineData("Paris", "NNP", "Paris")]
    [InlineData("is", "VBZ", "be")]
    [InlineData("were", "VBD", "be")]
    [InlineData("carries", "VBZ", "carry")]
    [InlineData("watches", "VBZ", "watch")]
    [InlineData("stopped", "VBD", "stop")]
    [InlineData("walked", "VBD", "walk")]
    [InlineData("carried", "VBN", "carry")]
    [InlineData("running", "VBG", "run")]
    [InlineData("walking", "VBG", "walk")]
    [InlineData("went", "VBD", "go")]
    [InlineData("taken", "VBN", "take")]
    [InlineData("lying", "VBG", "lie")]
    public void Rules_and_irregular_forms(string word, string tag, string lemma) =>
        Assert.Equal(lemma, Lemmatizer.RulesOnly.Lemmatize(word, tag));

    [Theory]
    [InlineData("making", "VBG", "make")]
    [InlineData("baked", "VBD", "bake")]
    [InlineData("houses", "NNS", "house")]
    [InlineData("adding", "VBG", "add")]
    public void Known_lemmas_choose_between_rule_candidates(string word, string tag, string lemma)
    {
        var lemmatizer = new Lemmatizer(new Dictionary<string, string>(), ["Vmake", "Vbake", "Nhouse", "Vadd"]);
        Assert.Equal(lemma, lemmatizer.Lemmatize(word, tag));
    }

    [Fact]
    public void Learned_exceptions_win()
    {
        var lemmatizer = new Lemmatizer(new Dictionary<string, string> { ["Ndata"] = "datum" }, []);
        Assert.Equal("datum", lemmatizer.Lemmatize("data", "NNS"));
    }

    [Theory]
    [InlineData("sitting", "VBG", "sit")]
    [InlineData("made", "VBD", "make")]
    [InlineData("using", "VBG", "use")]
    [InlineData("feet", "NNS", "foot")]
    [InlineData("cities", "NNS", "city")]
    public void The_shipped_model_lemmatizes_common_caption_words(string word, string tag, string lemma) =>
        Assert.Equal(lemma, CaptionWords.Default.Tagger.Model.Lemmatizer.Lemmatize(word, tag));
}
