using System.CommandLine;
using SSeg.Ingest.Nlp;
using SSeg.Ingest.Nlp.Conllu;
using SSeg.Pipelines.Cli.Nlp;

namespace SSeg.Pipelines.Bench;

/// <summary>`bench nlp`: single-thread caption → nouns/verbs throughput (tokenize + tag + select).</summary>
internal static class NlpBench
{
    public static Command Create()
    {
        var command = new Command("nlp", "Caption noun/verb extraction throughput on one thread (tokens/s, captions/s), as written and lowercased.");
        var conllu = new Option<string?>("--conllu") { Description = "CoNLL-U whose '# text' lines serve as captions (default: ../shared/data/ud-english-ewt/en_ewt-ud-dev.conllu)." };
        var captions = new Option<string?>("--captions") { Description = "A text file with one caption per line (instead of --conllu)." };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per run.", DefaultValueFactory = _ => 5 };
        var model = new Option<string?>("--model") { Description = "Tagger model file (default: the embedded model)." };
        foreach (var o in new Option[] { conllu, captions, seconds, model }) command.Options.Add(o);
        command.SetAction(parse => NlpCommands.Guarded(() =>
        {
            var texts = LoadCaptions(parse.GetValue(captions), parse.GetValue(conllu));
            var extractor = NlpCommands.LoadExtractor(parse.GetValue(model));
            var duration = TimeSpan.FromSeconds(parse.GetValue(seconds));
            var lower = texts.Select(t => t.ToLowerInvariant()).ToList();
            Console.WriteLine($"{texts.Count:N0} captions, one thread, {Environment.ProcessorCount} cores visible");
            foreach (var result in new[]
                     {
                         ExtractionBenchmark.Run("as written", texts, extractor, false, duration),
                         ExtractionBenchmark.Run("lowercased", lower, extractor, false, duration),
                         ExtractionBenchmark.Run("as written, lemmas", texts, extractor, true, duration),
                     })
                Console.WriteLine($"{result.Name,-20} {result.TokensPerSecond,12:N0} tokens/s {result.CaptionsPerSecond,10:N0} captions/s " +
                                  $"(per CPU second: {result.TokensPerCpuSecond,12:N0} tokens {result.CaptionsPerCpuSecond,10:N0} captions) {result.BytesPerCaption,6:N0} B allocated/caption");
            return 0;
        }));
        return command;
    }

    private static List<string> LoadCaptions(string? captionsFile, string? conlluFile)
    {
        if (captionsFile is not null)
            return File.ReadLines(captionsFile).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        var path = conlluFile ?? Path.Combine("..", "shared", "data", "ud-english-ewt", "en_ewt-ud-dev.conllu");
        if (!File.Exists(path)) throw new FileNotFoundException($"no captions: {path} does not exist (give --captions or --conllu)");
        return ConlluReader.ReadFile(path).Select(s => s.Text ?? string.Join(' ', s.Words.Select(w => w.Form))).ToList();
    }
}
