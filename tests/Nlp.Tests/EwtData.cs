using SSeg.Ingest.Nlp.Conllu;
using SSeg.Tests.Common;

namespace SSeg.Nlp.Tests;

/// <summary>UD English EWT train/dev from ../shared, read once per test run (never copied into the repo).</summary>
internal static class EwtData
{
    private static readonly string Folder = Path.Combine(RepoPaths.Shared, "data", "ud-english-ewt");
    private static readonly Lazy<IReadOnlyList<ConlluSentence>> TrainLazy = new(() => ConlluReader.ReadFile(Path.Combine(Folder, "en_ewt-ud-train.conllu")).ToList());
    private static readonly Lazy<IReadOnlyList<ConlluSentence>> DevLazy = new(() => ConlluReader.ReadFile(Path.Combine(Folder, "en_ewt-ud-dev.conllu")).ToList());

    public static IReadOnlyList<ConlluSentence> Train => TrainLazy.Value;

    public static IReadOnlyList<ConlluSentence> Dev => DevLazy.Value;
}
