using System.Security.Cryptography;
using SSeg.Shards;
using SSeg.Train.Synthetic;

namespace SSeg.Pipelines.Tests;

/// <summary>
/// A dataset for the dashboard tests: synthetic shapes with their mask shards, plus one image shard that also
/// records failed samples with reasons and details, written through the shards API like ingest does.
/// </summary>
public static class DashboardData
{
    public static readonly (string Reason, string Detail)[] Failures =
    [
        ("http_404", "GET returned 404 Not Found"),
        ("http_404", "GET returned 404 Not Found (mirror)"),
        ("timeout", "no response within 10 s"),
        ("decode_error", "not a JPEG, PNG, WebP, GIF or BMP image"),
    ];

    public static async Task<Dataset> WriteAsync(string root, string name, int images = 12, int shards = 3)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, name, images, shards, size: 64, seed: 5);
        await using var reader = await dataset.OpenImageShardAsync(0);
        var rows = new List<ImageRow>();
        await foreach (var row in reader.ReadRowsAsync()) rows.Add(row);
        await using var writer = await dataset.CreateImageShardWriterAsync(shards);
        for (var i = 0; i < 2; i++)
        {
            var key = $"synthetic/{shards:D5}/{i:D5}";
            await writer.AddAsync(rows[i] with { Key = key, Sha256 = Convert.ToHexStringLower(SHA256.HashData(rows[i].ImageBytes)) });
        }
        for (var i = 0; i < Failures.Length; i++)
            writer.AddFailure(new FailureRow($"http://example.invalid/{i}.jpg", $"synthetic/{shards:D5}/{i + 2:D5}", Failures[i].Reason, Failures[i].Detail));
        await writer.CommitAsync();
        return dataset;
    }

    /// <summary>
    /// A dataset of <paramref name="shards"/> one-row image shards, each with its mask shard: shard 0 is a synthetic
    /// shape, every later shard a copy of it under its own key that also records one failed sample ("timeout"), so
    /// both the shard table and the failures page have more shards than one page holds.
    /// </summary>
    public static async Task<Dataset> WriteManyShardsAsync(string root, string name, int shards)
    {
        var dataset = await SyntheticShapes.WriteDatasetAsync(root, name, images: 1, shards: 1, size: 16, seed: 7);
        ImageRow image;
        MaskRow mask;
        MaskGeneratorInfo generator;
        await using (var reader = await dataset.OpenImageShardAsync(0))
            image = (await reader.ReadRowGroupAsync(0)).Single();
        await using (var reader = await dataset.OpenMaskShardAsync(SyntheticShapes.GeneratorId, 0))
        {
            mask = (await reader.ReadRowGroupAsync(0)).Single();
            generator = reader.Generator!;
        }
        for (var s = 1; s < shards; s++)
        {
            var key = $"synthetic/{s:D5}/00000";
            await using (var writer = await dataset.CreateImageShardWriterAsync(s))
            {
                await writer.AddAsync(image with { Key = key });
                writer.AddFailure(new FailureRow($"http://example.invalid/{s}.jpg", $"synthetic/{s:D5}/00001", "timeout", $"no response for shard {s}"));
                await writer.CommitAsync();
            }
            await using (var writer = await dataset.CreateMaskShardWriterAsync(generator, s))
            {
                await writer.AddAsync(mask with { Key = key });
                await writer.CommitAsync();
            }
        }
        return dataset;
    }
}
