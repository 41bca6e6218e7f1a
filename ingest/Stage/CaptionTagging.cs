using SSeg.Ingest.Nlp;

namespace SSeg.Ingest.Stage;

/// <summary>Thin adapter over the caption tagger (ingest/Nlp): nouns and verbs for the image shard columns.</summary>
internal static class CaptionTagging
{
    public static (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs, bool Failed) Tag(string caption)
    {
        try
        {
            var (nouns, verbs) = CaptionWords.Extract(caption);
            return (nouns, verbs, false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A tagger problem must not drop the image; the sample keeps empty word lists and is counted.
            return ([], [], true);
        }
    }
}
