using System.Diagnostics;
using SSeg.Ingest.Nlp.Tokenization;
using SSeg.Ingest.Nlp;

namespace SSeg.Pipelines.Bench;

/// <param name="CpuTime">Processor time the process used meanwhile: on a busy machine, tokens per CPU second is the
/// figure that says what one free core would do.</param>
public sealed record BenchmarkResult(string Name, long Captions, long Tokens, TimeSpan Elapsed, TimeSpan CpuTime, long AllocatedBytes)
{
    public double TokensPerSecond => Tokens / Elapsed.TotalSeconds;
    public double CaptionsPerSecond => Captions / Elapsed.TotalSeconds;
    public double TokensPerCpuSecond => Tokens / Math.Max(1e-9, CpuTime.TotalSeconds);
    public double CaptionsPerCpuSecond => Captions / Math.Max(1e-9, CpuTime.TotalSeconds);
    public double BytesPerCaption => Captions == 0 ? 0 : (double)AllocatedBytes / Captions;
}

/// <summary>Single-thread throughput of caption → nouns/verbs (tokenize + tag + select), for `bench nlp`.</summary>
public static class ExtractionBenchmark
{
    public static BenchmarkResult Run(string name, IReadOnlyList<string> captions, CaptionWordExtractor extractor, bool lemmatize, TimeSpan duration)
    {
        if (captions.Count == 0) throw new ArgumentException("no captions to benchmark", nameof(captions));
        long tokensPerPass = captions.Sum(c => (long)PtbTokenizer.Tokenize(c).Count);
        // Warm-up: lazy model load, and long enough for tiered JIT to reach optimized code.
        var warmUp = Stopwatch.StartNew();
        do foreach (var c in captions) extractor.Extract(c, lemmatize);
        while (warmUp.Elapsed < TimeSpan.FromSeconds(1.5));

        long passes = 0, sink = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        do
        {
            foreach (var c in captions) sink += extractor.Extract(c, lemmatize).Nouns.Count;
            passes++;
        } while (clock.Elapsed < duration);
        clock.Stop();
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(sink);
        return new BenchmarkResult(name, passes * captions.Count, passes * tokensPerPass, clock.Elapsed, cpu, allocated);
    }
}
