using System.Globalization;
using SSeg.Pseudomask;
using SSeg.Shards;

namespace SSeg.Pipelines.Bench;

/// <summary>
/// `bench pseudomask --preprocess-only`: the CPU side of the pseudomask stage alone: shard read, JPEG decode, resize to
/// the patch grid with the long side at most 448, ImageNet normalisation to CHW floats (<see cref="ImagePreprocessor"/>),
/// on real photos stored as ingest stores them. One thread first (what the stage's single decode task delivers), then
/// one worker per core; ends with <c>preprocess: N images/s per core (C cores)</c>.
/// </summary>
internal static class PseudomaskPreprocessBench
{
    public static async Task RunAsync(string? photoFolder, int count, int patch, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"sseg-bench-preprocess-{Guid.NewGuid():N}");
        try
        {
            var photos = BenchPhotoShards.List(photoFolder);
            var maxSide = new GeneratorOptions().MaxSide;
            Console.WriteLine($"building {count} rows from {photos.Count} photos (ingest's processing: short side 512, JPEG q95); " +
                              $"preprocessing to long side ≤ {maxSide}, patch {patch} ...");
            var dataset = await DatasetStore.Open(root).CreateOrOpenAsync("bench", source: "bench", ct: ct);
            await BenchPhotoShards.WriteAsync(dataset, photos, count, 1, ct);
            var preprocessor = new ImagePreprocessor(patch, maxSide);

            var clock = new BenchClock();
            var rows = new List<ImageRow>();
            await using (var reader = await dataset.OpenImageShardAsync(0, ct))
                await foreach (var row in reader.ReadRowsAsync(ImageColumns.Key | ImageColumns.Image, ct)) rows.Add(row);
            var read = clock.CpuSeconds;

            // Warm-up (JIT, ImageSharp's pools) on a few images, then one thread, then one worker per core.
            foreach (var row in rows.Take(8)) _ = preprocessor.Prepare(row.Key, 0, row.ImageBytes);
            clock.Restart();
            for (var i = 0; i < rows.Count; i++) _ = preprocessor.Prepare(rows[i].Key, i, rows[i].ImageBytes);
            var (wall, cpu) = (clock.WallSeconds, clock.CpuSeconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"one thread: {rows.Count / wall:F0} images/s wall, {rows.Count / (cpu + read):F0} images per CPU-second " +
                $"(shard read {1000 * read / rows.Count:F2} CPU-ms/image included; {BenchPhotoShards.LoadAverage()})"));

            var cores = Environment.ProcessorCount;
            clock.Restart();
            Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = cores, CancellationToken = ct },
                i => _ = preprocessor.Prepare(rows[i].Key, i, rows[i].ImageBytes));
            (wall, cpu) = (clock.WallSeconds, clock.CpuSeconds);
            var perCore = rows.Count / (cpu + read);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{cores} workers: {rows.Count / wall:F0} images/s wall, {perCore:F0} images per CPU-second ({BenchPhotoShards.LoadAverage()})"));
            // Per core = images per CPU-second of this process: what one core sustains, whatever else shares the machine.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"preprocess: {perCore:F0} images/s per core ({cores} cores)"));
        }
        finally
        {
            if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
        }
    }
}
