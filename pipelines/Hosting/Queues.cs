namespace SSeg.Pipelines.Hosting;

/// <summary>Hangfire queue names. Stage jobs go to cpu or gpu; barriers and pipeline control to control.</summary>
public static class Queues
{
    public const string Cpu = "cpu";
    public const string Gpu = "gpu";
    public const string Control = "control";
}
