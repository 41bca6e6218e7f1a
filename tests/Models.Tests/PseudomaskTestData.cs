using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Shards;

namespace SSeg.Models.Tests;

/// <summary>Synthetic images and image shards for the pseudomask tests.</summary>
internal static class PseudomaskTestData
{
    /// <summary>An image whose pixel (x, y) gets the colour <paramref name="colorAt"/> returns.</summary>
    public static Image<Rgb24> Paint(int width, int height, Func<int, int, Rgb24> colorAt)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                image[x, y] = colorAt(x, y);
        return image;
    }

    public static byte[] Png(Image<Rgb24> image)
    {
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    public static byte[] Jpeg(Image<Rgb24> image, int quality = 95)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream, new SixLabors.ImageSharp.Formats.Jpeg.JpegEncoder { Quality = quality });
        return stream.ToArray();
    }

    public static ImageRow Row(string key, byte[] bytes, int width, int height) =>
        new(key, bytes, "a caption", ["thing"], [], $"http://example.test/{key}", "test", width, height, width, height, "00");

    public static async Task WriteShardAsync(string root, string dataset, int shard, IEnumerable<ImageRow> rows)
    {
        var ds = await DatasetStore.Open(root).CreateOrOpenAsync(dataset, source: "test");
        await using var writer = await ds.CreateImageShardWriterAsync(shard);
        foreach (var row in rows) await writer.AddAsync(row);
        await writer.CommitAsync();
    }

    public static Rgb24 Red => new(220, 30, 30);
    public static Rgb24 Blue => new(20, 40, 200);
    public static Rgb24 Green => new(30, 200, 60);
}
