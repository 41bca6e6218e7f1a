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
}
