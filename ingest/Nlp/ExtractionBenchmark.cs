using System.Diagnostics;
using SSeg.Ingest.Nlp.Tokenization;

namespace SSeg.Ingest.Nlp;

public sealed record BenchmarkResult(string Name, long Captions, long Tokens, TimeSpan Elapsed, long AllocatedBytes)
{
    public double TokensPerSecond => Tokens / Elapsed.TotalSeconds;
    public double CaptionsPerSecond => Captions / Elapsed.TotalSeconds;
    public double BytesPerCaption => Captions == 0 ? 0 : (double)AllocatedBytes / Captions;
}

/// <summary>Single-thread throughput of caption → nouns/verbs (tokenize + tag + select), for `bench nlp`.</summary>
public static class ExtractionBenchmark
{
    public static BenchmarkResult Run(string name, IReadOnlyList<string> captions, CaptionWordExtractor extractor, bool lemmatize, TimeSpan duration)
    {
        if (captions.Count == 0) throw new ArgumentException("no captions to benchmark", nameof(captions));
        long tokensPerPass = captions.Sum(c => (long)PtbTokenizer.Tokenize(c).Count);
        foreach (var c in captions) extractor.Extract(c, lemmatize); // warm-up: JIT, lazy model load, caches

        long passes = 0, sink = 0;
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        do
        {
            foreach (var c in captions) sink += extractor.Extract(c, lemmatize).Nouns.Count;
            passes++;
        } while (clock.Elapsed < duration);
        clock.Stop();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        GC.KeepAlive(sink);
        return new BenchmarkResult(name, passes * captions.Count, passes * tokensPerPass, clock.Elapsed, allocated);
    }
}
