using SSeg.Models;
using SSeg.Selftrain.Labeling;
using SSeg.Shards;
using static TorchSharp.torch;

namespace SSeg.Selftrain.Tests;

/// <summary>Label mask shards and S-Seg+ checkpoints state the device, precision and threads they were computed with.</summary>
public class ComputeRecordTests(SelftrainPipelineFixture fx) : IClassFixture<SelftrainPipelineFixture>
{
    [Fact]
    public async Task LabelShardsRecordDevicePrecisionAndThreads()
    {
        var dataset = DatasetStore.Open(fx.Storage).Dataset(fx.Label.Dataset);
        var id = SelftrainStage.PlanLabels(fx.Label, fx.Registry).Generator.Id;
        await using var reader = await dataset.OpenMaskShardAsync(id, 0);
        var extra = reader.Generator!.Extra!;
        Assert.Equal("cpu", extra[ComputeInfo.DeviceKey]);
        Assert.Equal("fp32", extra[ComputeInfo.PrecisionKey]);
        Assert.True(int.Parse(extra[ComputeInfo.ThreadsKey], System.Globalization.CultureInfo.InvariantCulture) > 0);
    }

    [Fact]
    public void Bf16LabelsAreAnotherGeneratorAndFp16OnCpuIsRefusedNamingCuda()
    {
        var bf16 = SelftrainStage.PlanLabels(fx.Label with { Precision = InferencePrecision.Bf16 }, fx.Registry).Generator.Id;
        Assert.Equal(SelftrainStage.PlanLabels(fx.Label, fx.Registry).Generator.Id + "-bf16", bf16);
        var fp16 = fx.Label with { Dataset = "voc-fp16", Precision = InferencePrecision.Fp16 };
        var e = Assert.ThrowsAny<ArgumentException>(() => SelftrainStage.LabelShardAsync(fp16, 0, fx.Registry).GetAwaiter().GetResult());
        Assert.Contains("CUDA", e.Message);
    }

    [Fact]
    public async Task StudentCheckpointRecordsDevicePrecisionAndThreads()
    {
        var result = await SelftrainStage.TrainAsync(fx.TrainOptions("compute-record", 2) with { Threads = 1 });
        var meta = SafetensorsFile.ReadMetadata(result.ModelPath!);
        Assert.Equal("cpu", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.DeviceKey));
        Assert.Equal("fp32", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.PrecisionKey));
        Assert.Equal("1", meta.Get(CheckpointLoader.ComputeMetadataPrefix + ComputeInfo.ThreadsKey));
        using var model = SSeg.Selftrain.Model.SSegPlusCheckpoint.Load(result.ModelPath!);
        Assert.Equal(ScalarType.Float32, model.parameters().First().dtype);
    }
}
