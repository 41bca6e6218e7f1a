using System.Security.Cryptography;
using System.Text;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using SSeg.Pipelines.Hosting;
using SSeg.Shards;

namespace SSeg.Pipelines.Dashboard;

/// <summary>
/// One row's image (<c>?shard=N&amp;key=K</c>), or its pseudo-mask coloured at the image's size (<c>&amp;mask=GENERATOR</c>),
/// for the dataset page to load instead of inlining base64. The ETag is derived from the committed shards' checksums,
/// so a browser revalidates cheaply and a rebuilt shard is never served stale.
/// </summary>
internal sealed class ThumbnailDispatcher : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        var name = context.UriMatch.Groups["name"].Value;
        var key = http.Request.Query["key"].ToString();
        var generator = http.Request.Query["mask"].ToString();
        if (!int.TryParse(http.Request.Query["shard"], out var shardIndex) || shardIndex < 0 || key.Length == 0)
        {
            await NotFound(http, "expected ?shard=N&key=K");
            return;
        }
        var settings = http.RequestServices.GetRequiredService<HostSettings>();
        var dataset = DatasetStore.Open(settings.Storage.Root, settings.Storage.AzureConnectionString).Dataset(name);
        // Each shard is found by name: a thumbnail costs the same whatever the number of shards.
        var imageEntry = await dataset.FindCommittedAsync(ShardNames.ImagesKind, shardIndex, http.RequestAborted);
        ShardEntry? maskEntry = null;
        if (generator.Length > 0 && (!RunPlots.IsName(generator)
                                     || (maskEntry = await dataset.FindCommittedAsync(ShardNames.MasksKind(generator), shardIndex, http.RequestAborted)) is null))
        {
            await NotFound(http, $"no mask shard {shardIndex} of generator '{generator}'");
            return;
        }
        if (imageEntry is null)
        {
            await NotFound(http, $"no committed image shard {shardIndex} in dataset '{name}'");
            return;
        }
        var etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{imageEntry.Sha256}\n{maskEntry?.Sha256}\n{key}")))[..32] + "\"";
        http.Response.Headers.ETag = etag;
        http.Response.Headers.CacheControl = "private, max-age=300";
        if (http.Request.Headers.IfNoneMatch.ToString() == etag)
        {
            http.Response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        var image = await FindImageAsync(dataset, imageEntry, key, http.RequestAborted);
        if (image is null)
        {
            await NotFound(http, $"no row '{key}' in image shard {shardIndex}");
            return;
        }
        byte[] body;
        if (maskEntry is null)
        {
            body = image;
            http.Response.ContentType = image is [0x89, ..] ? "image/png" : "image/jpeg";
        }
        else
        {
            var mask = await FindMaskAsync(dataset, maskEntry, key, http.RequestAborted);
            if (mask is null)
            {
                await NotFound(http, $"no mask for '{key}' in mask shard {shardIndex}");
                return;
            }
            try { body = MaskOverlay.RenderPng(image, mask, alpha: 1f); }
            catch (InvalidDataException e)
            {
                http.Response.Headers.CacheControl = "no-store";
                http.Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
                await http.Response.WriteAsync(e.Message);
                return;
            }
            http.Response.ContentType = "image/png";
        }
        await http.Response.Body.WriteAsync(body, http.RequestAborted);
    }

    // The key column alone finds the row group; only that group's image bytes are read.
    private static async Task<byte[]?> FindImageAsync(Dataset dataset, ShardEntry entry, string key, CancellationToken ct)
    {
        await using var reader = await ImageShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(entry.Path), ct);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            if (!(await reader.ReadRowGroupAsync(g, ImageColumns.Key, ct)).Any(r => r.Key == key)) continue;
            return (await reader.ReadRowGroupAsync(g, ImageColumns.Key | ImageColumns.Image, ct)).First(r => r.Key == key).ImageBytes;
        }
        return null;
    }

    private static async Task<byte[]?> FindMaskAsync(Dataset dataset, ShardEntry entry, string key, CancellationToken ct)
    {
        await using var reader = await MaskShardReader.OpenAsync(dataset.Storage, dataset.KeyOf(entry.Path), ct);
        for (var g = 0; g < reader.RowGroupCount; g++)
        {
            if (!(await reader.ReadRowGroupAsync(g, includeMask: false, ct)).Any(r => r.Key == key)) continue;
            return (await reader.ReadRowGroupAsync(g, includeMask: true, ct)).First(r => r.Key == key).MaskPng;
        }
        return null;
    }

    private static async Task NotFound(HttpContext http, string message)
    {
        http.Response.StatusCode = StatusCodes.Status404NotFound;
        http.Response.Headers.CacheControl = "no-store";
        await http.Response.WriteAsync(message);
    }
}
