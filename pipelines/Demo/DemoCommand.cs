namespace SSeg.Pipelines.Demo;

public static class DemoCommand
{
    public sealed record Options(int Images, bool KeepServing);

    public static Task<int> ExecuteAsync(Options options, Dictionary<string, string?> overrides, string[] args, CancellationToken ct) =>
        Task.FromResult(0);
}
