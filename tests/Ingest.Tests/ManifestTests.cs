using System.IO.Compression;
using System.Text;
using SSeg.Ingest.Manifests;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

public sealed class ManifestTests : IDisposable
{
    private readonly string _dir = RepoPaths.NewTempDir("sseg-ingest-manifest");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private string WriteBytes(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static List<ManifestEntry> Read(params SourceSpec[] sources) => new ManifestSet(sources).ReadAll().ToList();

    [Fact]
    public void Cc3m_is_caption_tab_url_and_keeps_urls_byte_for_byte()
    {
        var path = Write("cc3m.tsv",
            "a very typical bus station\thttp://lh6.googleusercontent.com/a.jpg\n" +
            "person , actor at the premiere .\thttps://x.example/thumb/1.jpg?i10c\\x3dimg.resize(height:160)\n");
        var rows = Read(new SourceSpec("cc3m", SourceKind.Cc3m, path));
        Assert.Equal(2, rows.Count);
        Assert.Equal("a very typical bus station", rows[0].Caption);
        Assert.Equal("http://lh6.googleusercontent.com/a.jpg", rows[0].Url);
        Assert.Equal("https://x.example/thumb/1.jpg?i10c\\x3dimg.resize(height:160)", rows[1].Url);
        Assert.Equal([0L, 1L], rows.Select(r => r.Index));
        Assert.All(rows, r => Assert.False(r.IsMalformed));
    }

    [Fact]
    public void Cc12m_is_url_tab_caption_and_accepts_a_last_line_without_newline()
    {
        var path = Write("cc12m.tsv",
            "https://a.example/img?aspect=fit&width=640\tPhoto <PERSON>, Manga Quotes, tab\tinside\r\n" +
            "https://b.example/2.png\tlast line, no LF");
        var rows = Read(new SourceSpec("cc12m", SourceKind.Cc12m, path));
        Assert.Equal(2, rows.Count);
        Assert.Equal("Photo <PERSON>, Manga Quotes, tab\tinside", rows[0].Caption);
        Assert.Equal("last line, no LF", rows[1].Caption);
        Assert.Equal("https://b.example/2.png", rows[1].Url);
    }

    [Fact]
    public void Gzip_is_detected_by_content()
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
            gz.Write(Encoding.UTF8.GetBytes("cap one\thttp://a.example/1.jpg\ncap two\thttp://a.example/2.jpg\n"));
        var path = WriteBytes("cc3m.tsv.gz", ms.ToArray());
        var rows = Read(new SourceSpec("cc3m", SourceKind.Cc3m, path));
        Assert.Equal(["cap one", "cap two"], rows.Select(r => r.Caption));
    }

    [Fact]
    public void Malformed_rows_are_counted_with_reason_and_line_and_the_reading_goes_on()
    {
        var sb = new StringBuilder();
        sb.Append("ok one\thttp://a.example/1.jpg\n");             // 1
        sb.Append("no tab here\n");                                  // 2
        sb.Append("empty url\t\n");                                  // 3
        sb.Append("ftp url\tftp://a.example/x.jpg\n");               // 4
        sb.Append('\n');                                             // 5
        sb.Append("long ").Append('x', 70_000).Append("\thttp://a.example/l.jpg\n"); // 6
        sb.Append("three\tcolumns\thttp://a.example/3.jpg\n");       // 7
        var text = Encoding.UTF8.GetBytes(sb.ToString());
        var invalid = new byte[] { (byte)'b', 0xC3, 0x28, (byte)'\t' }.Concat(Encoding.ASCII.GetBytes("http://a.example/u.jpg\n")); // 8
        var last = Encoding.ASCII.GetBytes("ok two\thttp://a.example/2.jpg\n");                                                  // 9
        var path = WriteBytes("cc3m.tsv", text.Concat(invalid).Concat(last).ToArray());

        var rows = Read(new SourceSpec("cc3m", SourceKind.Cc3m, path));
        Assert.Equal(9, rows.Count);
        Assert.Equal(Enumerable.Range(0, 9).Select(i => (long)i), rows.Select(r => r.Index));
        Assert.False(rows[0].IsMalformed);
        Assert.False(rows[8].IsMalformed);
        Assert.Contains("missing column", rows[1].Malformed);
        Assert.Contains("empty url", rows[2].Malformed);
        Assert.Contains("not http(s)", rows[3].Malformed);
        Assert.Contains("empty line", rows[4].Malformed);
        Assert.Contains("longer than", rows[5].Malformed);
        Assert.Contains("columns", rows[6].Malformed);
        Assert.Contains("UTF-8", rows[7].Malformed);
        Assert.Equal("cc3m:cc3m.tsv:8", rows[7].Location);
    }

    private const string AnnotationA =
        "{\"image_id\": \"h63b1\", \"subreddit\": \"abandonedporn\", \"url\": \"http://i.imgur.com/a.jpg\", \"caption\": \"an old mill\", " +
        "\"raw_caption\": \"An old mill [602px \\u00d7 400px]\", \"score\": 12, \"author\": \"None\", \"created_utc\": 1199145600, " +
        "\"permalink\": \"/r/AbandonedPorn/comments/h63b1/\"}";
    private const string AnnotationB =
        "{\"permalink\": \"/r/pics/comments/7nbxym/\", \"author\": \"someone\", \"caption\": \"a red barn\", \"url\": \"https://i.redd.it/b.jpg\", " +
        "\"image_id\": \"7nbxym\", \"subreddit\": \"pics\", \"score\": null, \"crosspost_parents\": [\"abc\"]}";

    [Fact]
    public void RedCaps_folder_reads_files_in_name_order_with_any_key_order_and_optional_info()
    {
        Write("redcaps/annotations/pics_2018.json", "{\"annotations\": [" + AnnotationB + "]}");
        Write("redcaps/annotations/abandonedporn_2017.json",
            "{\"info\": {\"start_date\": \"2008-01-01\", \"end_date\": \"2017-12-31\", \"url\": \"https://redcaps.xyz\", \"version\": 1.0}, " +
            "\"annotations\": [" + AnnotationA + ", " + AnnotationA.Replace("a.jpg", "c.jpg") + "]}");
        var rows = Read(new SourceSpec("redcaps", SourceKind.RedCaps, Path.Combine(_dir, "redcaps")));
        Assert.Equal(3, rows.Count);
        Assert.Equal("http://i.imgur.com/a.jpg", rows[0].Url);
        Assert.Equal("an old mill", rows[0].Caption);
        Assert.Contains("\"author\":\"None\"", rows[0].ExtraJson);
        Assert.Contains("\"subreddit\":\"abandonedporn\"", rows[0].ExtraJson);
        Assert.DoesNotContain("\"url\"", rows[0].ExtraJson);
        Assert.Equal("https://i.redd.it/b.jpg", rows[2].Url);
        Assert.Contains("crosspost_parents", rows[2].ExtraJson);
        Assert.Equal("redcaps:pics_2018.json#0", rows[2].Location);
    }

    [Fact]
    public void RedCaps_zip_and_broken_json_is_one_malformed_row_then_the_next_file()
    {
        var zipPath = Path.Combine(_dir, "redcaps_v1.0_annotations.zip");
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create))
        {
            void Add(string name, string text)
            {
                using var s = zip.CreateEntry(name).Open();
                s.Write(Encoding.UTF8.GetBytes(text));
            }
            Add("annotations/a_2017.json", "{\"annotations\": [" + AnnotationA + ", {\"url\": \"http://x.example/1.jpg\", \"caption\": ");
            Add("annotations/b_2019.json", "{\"annotations\": [" + AnnotationB + ", {\"caption\": \"no url\"}]}");
            Add("LICENSE.txt", "CC BY 4.0");
        }
        var rows = Read(new SourceSpec("redcaps", SourceKind.RedCaps, zipPath));
        Assert.Equal(4, rows.Count);
        Assert.False(rows[0].IsMalformed);
        Assert.Contains("broken JSON", rows[1].Malformed);
        Assert.False(rows[2].IsMalformed);
        Assert.Contains("missing column: url", rows[3].Malformed);
    }

    [Fact]
    public void Large_redcaps_file_is_streamed_in_small_pieces()
    {
        var sb = new StringBuilder("{\"annotations\": [");
        for (var i = 0; i < 5000; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(AnnotationA.Replace("a.jpg", $"{i}.jpg"));
        }
        sb.Append("], \"info\": {\"version\": 1.0}}");
        Write("rc/annotations/big_2020.json", sb.ToString());
        var rows = Read(new SourceSpec("redcaps", SourceKind.RedCaps, Path.Combine(_dir, "rc")));
        Assert.Equal(5000, rows.Count);
        Assert.Equal("http://i.imgur.com/4999.jpg", rows[^1].Url);
    }

    [Fact]
    public void Slices_cover_fixed_row_ranges_and_dedupe_keeps_the_first_url_across_sources()
    {
        var cc3m = Write("cc3m.tsv", string.Concat(Enumerable.Range(0, 7).Select(i => $"cap {i}\thttp://a.example/{i}.jpg\n")));
        // cc12m repeats cc3m rows 1 and 5 and one of its own.
        var cc12m = Write("cc12m.tsv", "http://a.example/1.jpg\tdup of 1\nhttp://b.example/x.jpg\tnew\nhttp://a.example/5.jpg\tdup of 5\nhttp://b.example/x.jpg\tdup x\n");
        var set = new ManifestSet([new SourceSpec("cc3m", SourceKind.Cc3m, cc3m), new SourceSpec("cc12m", SourceKind.Cc12m, cc12m)]);
        Assert.Equal(11, set.CountRows());
        Assert.Equal(3, ManifestSet.ShardCount(11, 4));

        var s0 = set.ReadSlice(0, 4);
        var s1 = set.ReadSlice(1, 4);
        var s2 = set.ReadSlice(2, 4);
        Assert.Equal([0L, 1, 2, 3], s0.Rows.Select(r => r.Index));
        Assert.Equal([8L, 9, 10], s2.Rows.Select(r => r.Index));
        Assert.Empty(s0.DuplicateOf);
        Assert.Equal([7L], s1.DuplicateOf.Keys);
        Assert.Equal("cc3m:cc3m.tsv:2", s1.DuplicateOf[7]);
        Assert.Equal([9L, 10], s2.DuplicateOf.Keys.Order());
        Assert.Equal("cc3m:cc3m.tsv:6", s2.DuplicateOf[9]);
        Assert.Equal("cc12m:cc12m.tsv:2", s2.DuplicateOf[10]);
        Assert.Equal("cc12m/00002/00000", s2.KeyOf(s2.Rows[0]));
        Assert.Equal("cc3m/00001/00002", s1.KeyOf(s1.Rows[2]));
        // Re-reading yields the same keys.
        Assert.Equal(s1.Rows.Select(s1.KeyOf), set.ReadSlice(1, 4).Rows.Select(r => set.ReadSlice(1, 4).KeyOf(r)));
    }

    [Theory]
    [InlineData("cc3m=/x/y.tsv", "cc3m", SourceKind.Cc3m)]
    [InlineData("CC12M=/x/y.tsv", "cc12m", SourceKind.Cc12m)]
    [InlineData("redcaps=/x/ann.zip", "redcaps", SourceKind.RedCaps)]
    public void Source_specs_parse(string text, string name, SourceKind kind)
    {
        var s = SourceSpec.Parse(text);
        Assert.Equal(name, s.Name);
        Assert.Equal(kind, s.Kind);
    }

    [Fact]
    public void Bad_source_specs_are_clear_errors()
    {
        Assert.Contains("Unknown source", Assert.Throws<FormatException>(() => SourceSpec.Parse("laion=/x")).Message);
        Assert.Throws<FormatException>(() => SourceSpec.Parse("cc3m"));
        Assert.Contains("not found", Assert.Throws<FileNotFoundException>(() => new ManifestSet([SourceSpec.Parse("cc3m=/nonexistent/file.tsv")])).Message);
    }
}
