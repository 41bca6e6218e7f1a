using System.IO.Compression;
using SSeg.Train.Text;

namespace SSeg.Train.Tests.Text;

public class BpeTokenizerTests
{
    private static BpeTokenizer Tiny(int context = 77) => BpeTokenizer.Load(Path.Combine(RepoPaths.Fixtures("Train.Tests"), "tiny_merges.txt"), contextLength: context);

    [Fact]
    public void Byte_map_is_a_bijection_in_clip_order()
    {
        Assert.Equal(256, ByteUnicode.Order.Distinct().Count());
        Assert.Equal('!', ByteUnicode.Order[0]);
        Assert.Equal('Ā', ByteUnicode.Encoder[0]); // byte 0 is remapped to U+0100
        Assert.Equal('Ġ', ByteUnicode.Encoder[(byte)' ']);
        for (int b = 0; b < 256; b++) Assert.Equal((byte)b, ByteUnicode.Decoder[ByteUnicode.Encoder[b]]);
    }

    [Fact]
    public void Vocabulary_layout_and_special_ids()
    {
        var t = Tiny();
        Assert.Equal(512 + 6 + 2, t.VocabSize);
        Assert.Equal(518, t.StartOfText);
        Assert.Equal(519, t.EndOfText);
        Assert.Equal(513, t.TokenId("cat</w>"));
        Assert.Equal(256, t.TokenId("!</w>"));
    }

    [Fact]
    public void Encodes_with_clip_cleaning_pretokenisation_and_merges()
    {
        var t = Tiny();
        // the</w> cat</w> &</w> the</w> dog</w> ' s</w> 4</w> 2</w> !</w>
        int[] expected = [515, 513, 256 + 5, 515, 517, 6, 256 + 82, 256 + 19, 256 + 17, 256];
        Assert.Equal(expected, t.Encode("  The CAT &amp;amp;   the\tDOG's 42!"));
        Assert.Equal("the cat & the dog 's 4 2 !", t.Decode(expected));
        // unmerged letters stay single byte symbols; the last carries </w>
        Assert.Equal([t.TokenId("t"), t.TokenId("a"), t.TokenId("b</w>")], t.Encode("tab"));
        Assert.Equal("naïve café ☃", t.Decode(t.Encode("Naïve café ☃")));
    }

    [Fact]
    public void Model_input_has_sot_eot_padding_and_forced_eot_on_truncation()
    {
        var t = Tiny(context: 8);
        Assert.Equal(new long[] { 518, 515, 513, 519, 0, 0, 0, 0 }, t.EncodeForModel("the cat"));
        var longIds = t.EncodeForModel("the cat the dog the cat the dog the cat");
        Assert.Equal(new long[] { 518, 515, 513, 515, 517, 515, 513, 519 }, longIds);
        var exact = t.EncodeForModel("the cat the dog the cat"); // 6 tokens + SOT + EOT = 8
        Assert.Equal(new long[] { 518, 515, 513, 515, 517, 515, 513, 519 }, exact);
    }

    [Fact]
    public void Reads_gzip_and_limits_merges_and_reports_bad_lines()
    {
        var dir = RepoPaths.NewTempDir();
        var gz = Path.Combine(dir, "m.txt.gz");
        using (var fs = File.Create(gz))
            BpeTokenizer.Save(Tiny().Merges, fs, gz);
        var t = BpeTokenizer.Load(gz, maxMerges: 2);
        Assert.Equal(514 + 2, t.VocabSize);
        Assert.Equal(new[] { t.TokenId("cat</w>") }, t.Encode("cat"));

        var bad = Path.Combine(dir, "bad.txt");
        File.WriteAllText(bad, "#h\na b\nabc\n");
        var ex = Assert.Throws<InvalidDataException>(() => BpeTokenizer.Load(bad));
        Assert.Contains("bad.txt:3", ex.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Learns_frequent_merges_from_captions()
    {
        var learner = new BpeLearner();
        for (int i = 0; i < 5; i++) learner.Add("the red circle");
        for (int i = 0; i < 3; i++) learner.Add("the blue square");
        learner.Add("zq");
        var merges = learner.Learn(vocabSize: 514 + 40);
        Assert.True(merges.Count is > 5 and <= 40);
        var tok = new BpeTokenizer(merges);
        Assert.Equal(514 + merges.Count, tok.VocabSize);
        // frequent words become single tokens, the rare one stays split
        Assert.Single(tok.Encode("the"));
        Assert.Single(tok.Encode("circle"));
        Assert.Single(tok.Encode("square"));
        Assert.Equal(2, tok.Encode("zq").Count);
        Assert.Equal("the red circle", tok.Decode(tok.Encode("The red circle")));
        // deterministic
        var again = new BpeLearner();
        for (int i = 0; i < 5; i++) again.Add("the red circle");
        for (int i = 0; i < 3; i++) again.Add("the blue square");
        again.Add("zq");
        Assert.Equal(merges, again.Learn(514 + 40));
    }

    [Fact]
    public void Prompts_fill_templates_with_sampled_words_and_pad_with_caption()
    {
        Assert.Equal(80, PromptTemplates.ImageNet80.Count);
        Assert.Equal(80, PromptTemplates.ImageNet80.Distinct().Count());
        Assert.All(PromptTemplates.ImageNet80, t => Assert.Contains("{}", t));

        var b = new PromptBuilder();
        var rng = new Random(3);
        var p = b.Build("a red circle on grass", ["circle", "grass"], [], rng);
        Assert.Equal(4, p.Length);
        Assert.Equal("a red circle on grass", p[0]);
        Assert.Equal("a red circle on grass", p[3]);
        var words = new[] { p[1], p[2] }.Select(x => x.Contains("circle") ? "circle" : x.Contains("grass") ? "grass" : "?").ToArray();
        Assert.Equal(["circle", "grass"], words.OrderBy(x => x));
        Assert.All(new[] { p[1], p[2] }, x => Assert.Contains(PromptTemplates.ImageNet80, t => x == PromptTemplates.Fill(t, "circle") || x == PromptTemplates.Fill(t, "grass")));

        var seen = new HashSet<string>();
        for (int i = 0; i < 200; i++)
        {
            var q = b.Build("c", ["a", "b", "c", "d", "e"], ["run"], rng);
            string[] vocab = ["a", "b", "c", "d", "e", "run"];
            var used = q.Skip(1).Select(x => vocab.Single(w => PromptTemplates.ImageNet80.Any(t => PromptTemplates.Fill(t, w) == x))).ToArray();
            Assert.Equal(3, used.Distinct().Count());
            foreach (var x in q.Skip(1)) seen.Add(x);
        }
        Assert.True(seen.Count > 100);
    }
}
