using System.Collections.Concurrent;
using System.IO.Compression;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SSeg.Tests.Common;

namespace SSeg.Ingest.Tests;

/// <summary>
/// A real HTTP server on loopback (Kestrel) that serves the shared photos and a catalogue of faults:
/// error statuses, flaky endpoints, slow and dripping bodies, resets, HTML, empty and huge bodies,
/// redirect loops and chains, X-Robots-Tag opt-outs, a decompression-bomb PNG and a placeholder redirect.
/// </summary>
public sealed class FaultServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits = new();
    private int _connections;
    internal static readonly Lazy<byte[]> BombPng = new(MakeBombPng);

    private FaultServer(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";
    public int Port { get; private set; }

    /// <summary>A photo the flaky and robots endpoints serve once they succeed.</summary>
    public static string SamplePhoto => Directory.GetFiles(Path.Combine(RepoPaths.Photos, "openimages-ibm"), "*.jpg").Order(StringComparer.Ordinal).First();

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    /// <summary>TCP connections accepted so far, requests or not.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public string Url(string path) => BaseUrl + path;

    /// <summary>Starts on a free port of <paramref name="bindTo"/> (default loopback; only this machine's own addresses).</summary>
    public static async Task<FaultServer> StartAsync(IPAddress? bindTo = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        FaultServer server = null!;
        builder.WebHost.UseKestrel(o =>
        {
            o.Listen(bindTo ?? IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
            {
                Interlocked.Increment(ref server._connections);
                return next(connection);
            }));
            o.Limits.MinResponseDataRate = null;
        });
        var app = builder.Build();
        server = new FaultServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = address.TrimEnd('/');
        server.Port = new Uri(server.BaseUrl).Port;
        return server;
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        _hits.AddOrUpdate(path, 1, (_, n) => n + 1);
        var parts = path.Trim('/').Split('/');
        var ct = ctx.RequestAborted;
        switch (parts[0])
        {
            case "photos":
                await ServeFile(ctx, Path.Combine(RepoPaths.Photos, Path.Combine(parts[1..])));
                return;
            case "status":
                ctx.Response.StatusCode = int.Parse(parts[1]);
                await ctx.Response.WriteAsync("no image here", ct);
                return;
            case "flaky":
                // /flaky/<name>/<status>: the first request fails with <status>, later ones serve a photo.
                if (Hits(path) == 1)
                {
                    ctx.Response.StatusCode = int.Parse(parts[2]);
                    if (ctx.Response.StatusCode == 429) ctx.Response.Headers.RetryAfter = "0";
                    return;
                }
                await ServeFile(ctx, SamplePhoto);
                return;
            case "slow-headers":
                await Task.Delay(TimeSpan.FromSeconds(20), ct);
                return;
            case "drip":
                ctx.Response.ContentType = "image/jpeg";
                ctx.Response.ContentLength = 100_000;
                for (var i = 0; i < 10_000 && !ct.IsCancellationRequested; i++)
                {
                    await ctx.Response.Body.WriteAsync(new byte[10], ct);
                    await ctx.Response.Body.FlushAsync(ct);
                    await Task.Delay(100, ct);
                }
                return;
            case "reset":
            {
                var bytes = await File.ReadAllBytesAsync(SamplePhoto, ct);
                ctx.Response.ContentType = "image/jpeg";
                ctx.Response.ContentLength = bytes.Length;
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2), ct);
                await ctx.Response.Body.FlushAsync(ct);
                await Task.Delay(100, ct);
                ctx.Abort();
                return;
            }
            case "html":
                ctx.Response.ContentType = "text/html; charset=utf-8";
                await ctx.Response.WriteAsync("<!doctype html><html><body>This image has moved</body></html>", ct);
                return;
            case "html-as-jpeg":
                ctx.Response.ContentType = "image/jpeg";
                await ctx.Response.WriteAsync("<!doctype html><html><body>Not really a JPEG</body></html>", ct);
                return;
            case "empty":
                ctx.Response.ContentType = "image/jpeg";
                ctx.Response.ContentLength = 0;
                return;
            case "big":
            {
                // 30 MB; /big/declared sends Content-Length, /big/chunked does not.
                ctx.Response.ContentType = "image/jpeg";
                const int total = 30 * 1024 * 1024;
                if (parts.Length > 1 && parts[1] == "declared") ctx.Response.ContentLength = total;
                var chunk = new byte[1 << 20];
                chunk[0] = 0xFF; chunk[1] = 0xD8; chunk[2] = 0xFF;
                for (var sent = 0; sent < total && !ct.IsCancellationRequested; sent += chunk.Length)
                {
                    await ctx.Response.Body.WriteAsync(chunk, ct);
                    chunk[0] = chunk[1] = chunk[2] = 0;
                }
                return;
            }
            case "loop":
                ctx.Response.Redirect(parts[1] == "a" ? "/loop/b" : "/loop/a");
                return;
            case "chain":
            {
                var n = int.Parse(parts[1]);
                if (n == 0) { await ServeFile(ctx, SamplePhoto); return; }
                ctx.Response.Redirect($"/chain/{n - 1}");
                return;
            }
            case "redirect-to":
                ctx.Response.Redirect(ctx.Request.Query["url"].ToString());
                return;
            case "robots":
                ctx.Response.Headers["X-Robots-Tag"] = parts[1] switch
                {
                    "noai" => "noai",
                    "agent" => "sseg-ingest: noimageai, nofollow",
                    "otherbot" => "otherbot: noai",
                    _ => "noarchive",
                };
                await ServeFile(ctx, SamplePhoto);
                return;
            case "bomb.png":
                ctx.Response.ContentType = "image/png";
                await ctx.Response.Body.WriteAsync(BombPng.Value, ct);
                return;
            case "imgur":
                ctx.Response.Redirect("/removed.png");
                return;
            case "removed.png":
                await ServeFile(ctx, Path.Combine(RepoPaths.Photos, "formats", "pillow_hopper.png"));
                return;
            default:
                ctx.Response.StatusCode = 404;
                return;
        }
    }

    private static async Task ServeFile(HttpContext ctx, string file)
    {
        if (!File.Exists(file)) { ctx.Response.StatusCode = 404; return; }
        ctx.Response.ContentType = Path.GetExtension(file).ToLowerInvariant() switch
        {
            ".jpg" or ".jpeg" => "image/jpeg",
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            _ => "application/octet-stream",
        };
        var bytes = await File.ReadAllBytesAsync(file, ctx.RequestAborted);
        ctx.Response.ContentLength = bytes.Length;
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    /// <summary>A real 20000×20000 8-bit grayscale PNG (all black) of about 0.4 MB: 400 M pixels once decoded.</summary>
    internal static byte[] MakeBombPng()
    {
        const int size = 20000;
        using var idat = new MemoryStream();
        using (var z = new ZLibStream(idat, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[size + 1];   // filter byte 0 + zero pixels
            for (var y = 0; y < size; y++) z.Write(row);
        }
        using var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        WriteBe(ihdr, 0, size); WriteBe(ihdr, 4, size);
        ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", idat.ToArray());
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        var len = new byte[4]; WriteBe(len, 0, data.Length); s.Write(len);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes); s.Write(data);
        var crc = Crc32Png.Compute(typeBytes, data);
        var c = new byte[4]; WriteBe(c, 0, (int)crc); s.Write(c);
    }

    private static void WriteBe(byte[] b, int o, int v)
    {
        b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
