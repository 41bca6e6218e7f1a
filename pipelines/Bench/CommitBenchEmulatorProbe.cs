using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// Azurite alone, through the Azure SDK with none of the shard library: the rate of put-if-absent (the commit
/// object's request) and of existence probes of absent names (a committer's "is it committed?") in an empty fresh
/// emulator and again once it holds as many blobs as a commit run leaves. A drop here is the emulator's, not the
/// commit protocol's: no listing is involved, and each request names one blob.
/// </summary>
internal static class CommitBenchEmulatorProbe
{
    private const int TimedRequests = 400;
    private const int Concurrency = 8;

    public static async Task<string> RunAsync(int blobsAfter, CancellationToken ct)
    {
        using var azurite = await BenchAzurite.StartAsync(ct);
        var container = new BlobContainerClient(azurite.ConnectionString, $"probe{Guid.NewGuid():N}");
        await container.CreateAsync(cancellationToken: ct);
        var content = new BinaryData(new byte[1024]);
        var next = 0;

        async Task<double> PutsAsync(int count)
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct },
                async (_, token) =>
                {
                    var name = $"_commits/x/images/part-{Interlocked.Increment(ref next):D6}.v000001.json";
                    await container.GetBlobClient(name).UploadAsync(content,
                        new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, token);
                });
            return count / clock.Elapsed.TotalSeconds;
        }

        async Task<double> ProbesAsync()
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(Enumerable.Range(0, TimedRequests), new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct },
                async (i, token) =>
                {
                    try { await container.GetBlobClient($"absent/part-{i:D6}.v000001.json").GetPropertiesAsync(cancellationToken: token); }
                    catch (RequestFailedException e) when (e.Status == 404) { /* the expected answer */ }
                });
            return TimedRequests / clock.Elapsed.TotalSeconds;
        }

        var putEmpty = await PutsAsync(TimedRequests);
        var probeEmpty = await ProbesAsync();
        await PutsAsync(Math.Max(0, blobsAfter - TimedRequests));
        var probeFull = await ProbesAsync();
        var putFull = await PutsAsync(TimedRequests);
        return $"put-if-absent of 1 KiB blobs ({Concurrency} at a time, no listing) {putEmpty:F0}/s at 0 blobs, {putFull:F0}/s at {blobsAfter} blobs " +
               $"({100 * putFull / putEmpty:F0} %); probes of absent names {probeEmpty:F0}/s -> {probeFull:F0}/s ({100 * probeFull / probeEmpty:F0} %)";
    }
}
