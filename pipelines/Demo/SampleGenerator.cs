using System.Text;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.PixelFormats;

namespace SSeg.Pipelines.Demo;

/// <summary>
/// The offline demo sample: images of coloured shapes drawn here (deterministic per index), with captions that
/// name them, listed in CC3M, CC12M and RedCaps-format manifests whose URLs point at a local HTTP server.
/// Two extra manifest rows point at a missing file and a non-image, so the failure reasons show up too.
/// </summary>
public static class SampleGenerator
{
    private sealed record Colour(string Name, Rgb24 Value);
    private enum Shape { Circle, Square, Triangle }

    private static readonly Colour[] Colours =
    [
        new("red", new Rgb24(220, 40, 40)), new("green", new Rgb24(40, 170, 60)), new("blue", new Rgb24(40, 80, 220)),
        new("yellow", new Rgb24(240, 210, 40)), new("purple", new Rgb24(140, 60, 180)), new("orange", new Rgb24(245, 140, 30)),
        new("white", new Rgb24(245, 245, 245)), new("black", new Rgb24(20, 20, 20)),
    ];

    public sealed record Sample(string File, string Caption);

    /// <summary>The manifests written, as ingest source lines (cc3m=PATH, ...).</summary>
    public sealed record Manifests(string Cc3m, string Cc12m, string RedCaps, IReadOnlyList<Sample> Samples)
    {
        public IReadOnlyList<string> SourceLines => [$"cc3m={Cc3m}", $"cc12m={Cc12m}", $"redcaps={RedCaps}"];
    }

    /// <summary>Writes <paramref name="count"/> images to <paramref name="imageDir"/> (skipping files already there).</summary>
    public static IReadOnlyList<Sample> WriteImages(string imageDir, int count)
    {
        Directory.CreateDirectory(imageDir);
        var samples = new List<Sample>();
        for (var i = 0; i < count; i++)
        {
            var (image, caption, _) = Draw(i);
            var file = $"shapes-{i:D3}.jpg";
            var path = Path.Combine(imageDir, file);
            using (image)
                if (!File.Exists(path)) image.SaveAsJpeg(path, new JpegEncoder { Quality = 90 });
            samples.Add(new Sample(file, caption));
        }
        File.WriteAllText(Path.Combine(imageDir, "not-an-image.jpg"), "this file is text, not a JPEG\n");
        return samples;
    }

    /// <summary>Splits the samples over the three manifest formats, with URLs under <paramref name="baseUrl"/>.</summary>
    public static Manifests WriteManifests(string manifestDir, string baseUrl, IReadOnlyList<Sample> samples)
    {
        Directory.CreateDirectory(manifestDir);
        baseUrl = baseUrl.TrimEnd('/');
        var third = samples.Count / 3;
        var cc3m = samples.Take(third).ToList();
        var cc12m = samples.Skip(third).Take(third).ToList();
        var redcaps = samples.Skip(2 * third).ToList();

        // CC3M: caption TAB url, lower-cased and tokenized captions, no header.
        var cc3mText = new StringBuilder();
        foreach (var s in cc3m) cc3mText.Append(Tokenized(s.Caption)).Append('\t').Append($"{baseUrl}/{s.File}").Append('\n');
        cc3mText.Append("a picture that is missing .\t").Append($"{baseUrl}/missing-picture.jpg").Append('\n');
        var cc3mPath = Path.Combine(manifestDir, "cc3m-sample.tsv");
        WriteIfChanged(cc3mPath, cc3mText.ToString());

        // CC12M: url TAB caption, raw alt-text style captions.
        var cc12mText = new StringBuilder();
        foreach (var s in cc12m) cc12mText.Append($"{baseUrl}/{s.File}").Append('\t').Append(Capitalized(s.Caption)).Append('\n');
        cc12mText.Append($"{baseUrl}/not-an-image.jpg").Append('\t').Append("A file that is not an image").Append('\n');
        var cc12mPath = Path.Combine(manifestDir, "cc12m-sample.tsv");
        WriteIfChanged(cc12mPath, cc12mText.ToString());

        // RedCaps: annotations/<subreddit>_<year>.json, one JSON document.
        var annotationsDir = Path.Combine(manifestDir, "redcaps", "annotations");
        Directory.CreateDirectory(annotationsDir);
        var annotations = redcaps.Select((s, i) => new Dictionary<string, object>
        {
            ["image_id"] = $"shp{i:x3}",
            ["subreddit"] = "shapes",
            ["url"] = $"{baseUrl}/{s.File}",
            ["caption"] = s.Caption,
            ["raw_caption"] = Capitalized(s.Caption),
            ["score"] = 10 + i,
            ["author"] = "sample_author",
            ["created_utc"] = 1609459200 + i * 3600,
            ["permalink"] = $"/r/Shapes/comments/shp{i:x3}/sample/",
        }).ToList();
        var document = new Dictionary<string, object>
        {
            ["info"] = new Dictionary<string, object> { ["start_date"] = "2021-01-01", ["end_date"] = "2021-12-31", ["url"] = "https://redcaps.xyz", ["version"] = "1.0" },
            ["annotations"] = annotations,
        };
        WriteIfChanged(Path.Combine(annotationsDir, "shapes_2021.json"), JsonSerializer.Serialize(document));
        return new Manifests(cc3mPath, cc12mPath, Path.Combine(manifestDir, "redcaps"), samples);
    }

    /// <summary>Keeps the file (and its fingerprint) when the content is the same, so rebuilds skip unchanged inputs.</summary>
    private static void WriteIfChanged(string path, string content)
    {
        if (File.Exists(path) && File.ReadAllText(path) == content) return;
        File.WriteAllText(path, content);
    }

    /// <summary>
    /// A Pascal-VOC-format folder (JPEGImages, SegmentationClass, ImageSets/Segmentation/val.txt) of other drawn
    /// images for the demo's eval stage. Shapes are no VOC class: their pixels are labelled 255 (ignore) and the rest
    /// background, so the scores only show that the evaluation machinery runs, not model quality.
    /// </summary>
    public static string WriteVocSample(string dir, int count)
    {
        var root = Path.Combine(dir, "VOC2012");
        var images = Path.Combine(root, "JPEGImages");
        var labels = Path.Combine(root, "SegmentationClass");
        var sets = Path.Combine(root, "ImageSets", "Segmentation");
        foreach (var d in new[] { images, labels, sets }) Directory.CreateDirectory(d);
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var id = $"shapes_{i:D4}";
            ids.Add(id);
            var (image, _, covered) = Draw(500 + i);
            using (image)
            {
                if (!File.Exists(Path.Combine(images, id + ".jpg"))) image.SaveAsJpeg(Path.Combine(images, id + ".jpg"), new JpegEncoder { Quality = 90 });
                var map = new SSeg.Eval.Metrics.LabelMap(image.Width, image.Height, covered.Select(c => c ? 255 : 0).ToArray());
                SSeg.Eval.Datasets.IndexedPng.Write(Path.Combine(labels, id + ".png"), map, SSeg.Eval.Datasets.IndexedPng.VocPalette());
            }
        }
        WriteIfChanged(Path.Combine(sets, "val.txt"), string.Join("\n", ids) + "\n");
        return dir;
    }

    private static (Image<Rgb24> Image, string Caption, bool[] Covered) Draw(int index)
    {
        var random = new Random(1000 + index);
        var width = 192 + 32 * random.Next(0, 5);
        var height = 160 + 32 * random.Next(0, 4);
        var background = Colours[random.Next(Colours.Length)];
        var image = new Image<Rgb24>(width, height, background.Value);
        var covered = new bool[width * height];
        var count = 1 + random.Next(0, 3);
        var names = new List<string>();
        for (var k = 0; k < count; k++)
        {
            Colour colour;
            do colour = Colours[random.Next(Colours.Length)]; while (colour == background);
            var shape = (Shape)random.Next(0, 3);
            var size = Math.Min(width, height) * (0.25 + 0.2 * random.NextDouble());
            var cx = size + random.NextDouble() * (width - 2 * size);
            var cy = size + random.NextDouble() * (height - 2 * size);
            Fill(image, colour.Value, covered, (x, y) => Inside(shape, x - cx, y - cy, size));
            names.Add($"{(colour.Name[0] is 'a' or 'e' or 'i' or 'o' or 'u' ? "an" : "a")} {colour.Name} {shape.ToString().ToLowerInvariant()}");
        }
        var caption = names.Count switch
        {
            1 => names[0],
            2 => $"{names[0]} and {names[1]}",
            _ => $"{string.Join(", ", names.Take(names.Count - 1))} and {names[^1]}",
        } + $" on a {background.Name} background";
        return (image, caption, covered);
    }

    private static bool Inside(Shape shape, double dx, double dy, double r) => shape switch
    {
        Shape.Circle => dx * dx + dy * dy <= r * r,
        Shape.Square => Math.Abs(dx) <= r * 0.8 && Math.Abs(dy) <= r * 0.8,
        _ => dy <= r * 0.8 && dy >= -r && Math.Abs(dx) <= (dy + r) * 0.55,
    };

    private static void Fill(Image<Rgb24> image, Rgb24 colour, bool[] covered, Func<double, double, bool> inside)
    {
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < rows.Height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < row.Length; x++)
                    if (inside(x + 0.5, y + 0.5))
                    {
                        row[x] = colour;
                        covered[y * row.Length + x] = true;
                    }
            }
        });
    }

    private static string Tokenized(string caption) => caption.Replace(",", " ,") + " .";

    private static string Capitalized(string caption) => char.ToUpperInvariant(caption[0]) + caption[1..];
}
