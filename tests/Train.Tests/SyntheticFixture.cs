using SSeg.Train.Synthetic;
using SSeg.Train.Text;

namespace SSeg.Train.Tests;

/// <summary>A generated shapes dataset with RGB k-means masks and a learned vocabulary, shared by the data/trainer tests.</summary>
public sealed class SyntheticFixture : IAsyncLifetime
{
    public string Root { get; } = RepoPaths.NewTempDir("sseg-train-synth");
    public const string Name = "shapes";
    public const int Images = 48;
    public const int VocabSize = 700;

    public async Task InitializeAsync()
    {
        await SyntheticShapes.WriteDatasetAsync(Root, Name, Images, shards: 3, size: 96, seed: 11);
        await VocabStage.RunAsync(Root, Name, VocabSize);
    }

    public Task DisposeAsync()
    {
        try { Directory.Delete(Root, true); } catch (IOException) { }
        return Task.CompletedTask;
    }
}
