using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Metrics;
using SSeg.Eval.Protocol;
using SSeg.Eval.Scoring;
using SSeg.Eval.Stage;
using SSeg.Models;
using SSeg.Shards;

namespace SSeg.Selftrain.Labeling;

/// <summary>What one label job did.</summary>
public sealed record LabelShardResult(int Shard, bool Skipped, int Labelled, int Failed, double Seconds);

/// <summary>The fixed plan of a labelling run: the image slice of every shard and the generator recorded with the labels.</summary>
public sealed record LabelPlan(TargetImageSet Target, int Shards, string ConfigHash, MaskGeneratorInfo Generator)
{
    public IReadOnlyList<TargetImage> Slice(int shard, int shardSize) =>
        Target.Images.Skip(shard * shardSize).Take(shardSize).ToList();
}

/// <summary>
/// <c>selftrain label</c>: the teacher (a trained S-Seg) labels the target's training images with eval's protocol
/// (keep-ratio resize, sliding window, background threshold); shard i writes the images [i·N, (i+1)·N) as an image
/// shard and their argmax label maps as a mask shard of generator <c>sseg-labels-&lt;checkpoint sha&gt;</c>.
/// Both commits are idempotent, so a re-run skips finished shards and completes half-finished ones.
/// </summary>
public static class LabelStage
{
    public const string SourcePrefix = "selftrain";

    public static LabelPlan Plan(LabelOptions options, ScorerRegistry teachers)
    {
        if (options.ShardSize <= 0) throw new ArgumentException("shard size must be positive");
        var (threshold, thresholdSource) = TeacherThreshold(options, teachers);
        var target = TargetImageSet.Open(options.TargetLayout, options.TargetRoot, options.Split, options.ClassNames, threshold);
        var shards = (target.Images.Count + options.ShardSize - 1) / options.ShardSize;
        var configHash = Hash($"{target.Layout}|{target.Split}|{options.ShardSize}|{target.Images.Count}|{target.Images[0].Id}|{target.Images[^1].Id}");
        var checkpointHash = CheckpointHash(options.TeacherCheckpoint);
        var i = options.Inference;
        // Reduced-precision labels differ from fp32 ones in a few pixels, so they are another generator.
        var suffix = options.Precision == InferencePrecision.Fp32 ? "" : "-" + InferencePrecisions.Name(options.Precision);
        var generator = new MaskGeneratorInfo($"sseg-labels-{checkpointHash[..12]}{suffix}", "sseg", checkpointHash, "argmax-labels",
            target.ClassNames.Count, 0)
        {
            Extra = new Dictionary<string, string>
            {
                ["checkpoint"] = Path.GetFullPath(options.TeacherCheckpoint),
                ["teacher_kind"] = options.TeacherKind ?? "auto",
                ["layout"] = target.Layout,
                ["split"] = target.Split,
                ["background_threshold"] = target.BackgroundThreshold.ToString(CultureInfo.InvariantCulture),
                ["background_threshold_source"] = thresholdSource,
                ["protocol"] = $"short {i.ShortSide}, long cap {i.LongSideCap}, {i.Mode} crop {i.CropSize} stride {i.Stride}",
                ["classes"] = string.Join("|", target.ClassNames),
            },
        };
        return new LabelPlan(target, shards, configHash, generator);
    }

    /// <summary>The teacher's τ: the given one, else the threshold `eval calibrate` stored for this target kind with
    /// the same scorer settings (the teacher labels with eval's protocol, so eval's calibration applies), else the
    /// layout's GroupViT default.</summary>
    private static (double? Threshold, string Source) TeacherThreshold(LabelOptions options, ScorerRegistry teachers)
    {
        if (options.BackgroundThreshold is double given) return (given, "given");
        var stored = StoredThresholds.ForCheckpoint(teachers.Resolve(options.TeacherCheckpoint, options.TeacherKind), options.TeacherCheckpoint);
        if (stored.TryGetValue(options.TargetLayout, out var entry) && entry.Fits(options.ScorerSettings)) return (entry.Threshold, entry.Describe());
        return (null, "layout default (GroupViT)");
    }

    public static async Task<LabelShardResult> LabelShardAsync(LabelOptions options, int shard, ScorerRegistry registry,
        IProgress<SelftrainProgress>? progress = null, CancellationToken ct = default)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var plan = Plan(options, registry);
        if (shard < 0 || shard >= plan.Shards) throw new ArgumentOutOfRangeException(nameof(shard), $"shard {shard} outside 0..{plan.Shards - 1}");
        var device = DeviceSelector.Select(options.Device);
        InferencePrecisions.EnsureSupported(options.Precision, device);   // before anything is written, whatever the teacher's kind
        var store = DatasetStore.Open(options.StorageRoot, options.AzureConnectionString);
        var dataset = await store.CreateOrOpenAsync(options.Dataset, $"{SourcePrefix}:{plan.Target.Layout}/{plan.Target.Split}", plan.ConfigHash, ct);
        if (await dataset.IsMaskCommittedAsync(plan.Generator.Id, shard, ct))
            return new LabelShardResult(shard, true, 0, 0, clock.Elapsed.TotalSeconds);

        var slice = plan.Slice(shard, options.ShardSize);
        using var scorer = registry.Load(options.TeacherCheckpoint, new ScorerLoadOptions(device, options.ScorerSettings) { Precision = options.Precision },
            options.TeacherKind);
        // The plan's generator is the same for every shard; where each shard's labels were computed is added per shard.
        var generator = plan.Generator with
        {
            Extra = new Dictionary<string, string>(plan.Generator.Extra!.Concat(ComputeInfo.Of(device, scorer.Precision).ToMetadata())),
        };
        var foreground = plan.Target.ClassNames.Skip(1).ToList();
        scorer.Prepare(foreground);
        var predictor = new SegmentationPredictor(scorer, foreground.Count, options.Inference, BackgroundProtocol.WithBackground,
            plan.Target.BackgroundThreshold);

        var imagesCommitted = await dataset.IsCommittedAsync(shard, ct);
        await using var imageWriter = imagesCommitted ? null : await dataset.CreateImageShardWriterAsync(shard, ct: ct);
        await using var maskWriter = await dataset.CreateMaskShardWriterAsync(generator, shard, ct: ct);
        if (imageWriter is not null) imageWriter.InputRows = slice.Count;
        int labelled = 0, failed = 0;
        var inferenceSeconds = 0.0;
        for (var n = 0; n < slice.Count; n++)
        {
            ct.ThrowIfCancellationRequested();
            var item = slice[n];
            var key = $"{plan.Target.Layout}/{item.Id}";
            byte[] bytes;
            Image<Rgb24> image;
            try
            {
                bytes = await File.ReadAllBytesAsync(item.Path, ct);
                image = Image.Load<Rgb24>(bytes);
            }
            catch (Exception e) when (e is IOException or UnknownImageFormatException or InvalidImageContentException or NotSupportedException)
            {
                failed++;
                imageWriter?.AddFailure(new FailureRow(item.Path, key, "decode_error", e.Message));
                continue;
            }
            using (image)
            {
                var started = clock.Elapsed.TotalSeconds;
                var labels = predictor.Predict(image);
                inferenceSeconds += clock.Elapsed.TotalSeconds - started;
                var png = MaskPng.Encode(labels.Height, labels.Width, ToBytes(labels));
                await maskWriter.AddAsync(new MaskRow(key, png, labels.Height, labels.Width, labels.Labels.Distinct().Count()), ct);
                if (imageWriter is not null)
                {
                    var extra = JsonSerializer.Serialize(new Dictionary<string, string> { ["id"] = item.Id, ["split"] = plan.Target.Split });
                    await imageWriter.AddAsync(new ImageRow(key, bytes, "", [], [], item.Path, plan.Target.Layout, image.Width, image.Height,
                        image.Width, image.Height, Convert.ToHexStringLower(SHA256.HashData(bytes)), extra), ct);
                }
            }
            labelled++;
            progress?.Report(new SelftrainProgress(n + 1, slice.Count, "images", $"shard {shard}"));
        }
        if (imageWriter is not null)
        {
            imageWriter.TimingsSeconds["teacher_inference"] = inferenceSeconds;
            imageWriter.Counters["labelled"] = labelled;
            await imageWriter.CommitAsync(ct);
        }
        await maskWriter.CommitAsync(ct);
        return new LabelShardResult(shard, false, labelled, failed, clock.Elapsed.TotalSeconds);
    }

    /// <summary>SHA-256 of a checkpoint file, or of the sorted (relative path, file hash) list of a checkpoint folder.</summary>
    public static string CheckpointHash(string path)
    {
        if (File.Exists(path)) return CheckpointLoader.Sha256(path);
        if (!Directory.Exists(path)) throw new FileNotFoundException($"teacher checkpoint not found: {path}", path);
        var lines = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(path, f).Replace('\\', '/'))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => $"{f} {CheckpointLoader.Sha256(Path.Combine(path, f))}");
        return Hash(string.Join("\n", lines));
    }

    /// <summary>The mask column stores one byte per pixel; a class index that does not fit must fail, not wrap.</summary>
    private static byte[] ToBytes(LabelMap labels)
    {
        var bytes = new byte[labels.Labels.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            var v = labels.Labels[i];
            if (v is < 0 or > 255) throw new ArgumentException($"label {v} at pixel {i} does not fit in 8 bits");
            bytes[i] = (byte)v;
        }
        return bytes;
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
