using SSeg.Ingest.Nlp.Conllu;

namespace SSeg.Nlp.Tests;

public class ConlluReaderTests
{
    private static string Line(params string[] columns) => string.Join('\t', columns);

    [Fact]
    public void Reads_words_comments_multiword_ranges_and_empty_nodes()
    {
        var text = string.Join('\n',
            "# newdoc id = d1",
            "# sent_id = s1",
            "# text = I don't know.",
            Line("1", "I", "I", "PRON", "PRP", "_", "4", "nsubj", "_", "_"),
            Line("2-3", "don't", "_", "_", "_", "_", "_", "_", "_", "_"),
            Line("2", "do", "do", "AUX", "VBP", "_", "4", "aux", "_", "_"),
            Line("3", "n't", "not", "PART", "RB", "_", "4", "advmod", "_", "_"),
            Line("4", "know", "know", "VERB", "VB", "_", "0", "root", "_", "SpaceAfter=No"),
            Line("4.1", "know", "know", "VERB", "VB", "_", "_", "_", "4:conj", "CopyOf=4"),
            Line("5", ".", ".", "PUNCT", ".", "_", "4", "punct", "_", "_"),
            "",
            "# sent_id = s2",
            Line("1", "Hi", "hi", "INTJ", "UH", "_", "0", "root", "_", "_"),
            "");
        var sentences = ConlluReader.Parse(text);
        Assert.Equal(2, sentences.Count);
        Assert.Equal("s1", sentences[0].Id);
        Assert.Equal("I don't know.", sentences[0].Text);
        Assert.Equal(["I", "do", "n't", "know", "."], sentences[0].Words.Select(w => w.Form));
        Assert.Equal(["PRP", "VBP", "RB", "VB", "."], sentences[0].Words.Select(w => w.Xpos));
        Assert.Equal("not", sentences[0].Words[2].Lemma);
        Assert.Equal("UH", sentences[1].Words[0].Xpos);
        Assert.Null(sentences[1].Text);
    }

    [Fact]
    public void Accepts_crlf_several_blank_lines_and_no_final_blank_line()
    {
        var text = "\r\n\r\n" + Line("1", "Dogs", "dog", "NOUN", "NNS", "_", "0", "root", "_", "_") + "\r\n\r\n\r\n"
                   + Line("1", "Run", "run", "VERB", "VB", "_", "0", "root", "_", "_");
        var sentences = ConlluReader.Parse(text);
        Assert.Equal(2, sentences.Count);
        Assert.Equal("Dogs", sentences[0].Words[0].Form);
        Assert.Equal("VB", sentences[1].Words[0].Xpos);
    }

    [Fact]
    public void Keeps_forms_with_spaces_and_odd_characters()
    {
        var text = Line("1", "10 000", "10000", "NUM", "CD", "_", "0", "root", "_", "_") + "\n" + Line("2", "#", "#", "SYM", "NFP", "_", "1", "dep", "_", "_");
        var words = ConlluReader.Parse(text).Single().Words;
        Assert.Equal(["10 000", "#"], words.Select(w => w.Form));
    }

    [Theory]
    [InlineData("1\tDogs\tdog\tNOUN\tNNS\t_\t0\troot\t_", "expected 10 tab-separated columns, found 9")]
    [InlineData("x\tDogs\tdog\tNOUN\tNNS\t_\t0\troot\t_\t_", "bad word id 'x'")]
    [InlineData("1-\tDogs\t_\t_\t_\t_\t_\t_\t_\t_", "bad word id '1-'")]
    [InlineData("2\tDogs\tdog\tNOUN\tNNS\t_\t0\troot\t_\t_", "word id 2 out of sequence (expected 1)")]
    public void Rejects_malformed_lines_naming_source_and_line(string badLine, string message)
    {
        var text = "# sent_id = a\n" + badLine + "\n";
        var e = Assert.Throws<ConlluFormatException>(() => ConlluReader.Parse(text, "sample.conllu"));
        Assert.Equal(2, e.LineNumber);
        Assert.Equal($"sample.conllu:2: {message}", e.Message);
    }
}
