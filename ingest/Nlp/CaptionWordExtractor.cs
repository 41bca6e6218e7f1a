using System.Buffers;
using SSeg.Ingest.Nlp.Tagging;
using SSeg.Ingest.Nlp.Tokenization;

namespace SSeg.Ingest.Nlp;

/// <summary>A tagged token of a caption.</summary>
public readonly record struct TaggedToken(string Text, string Tag, TokenKind Kind);

/// <summary>
/// Tokenizes a caption (<see cref="PtbTokenizer"/>), tags it (<see cref="PosTagger"/>) and keeps the nouns and
/// verbs. CC12M's <c>&lt;PERSON&gt;</c> counts as the noun "person"; RedCaps' <c>&lt;usr&gt;</c> (a user name) is
/// tagged but never kept. Thread-safe; the only allocations per caption are the output lists and strings.
/// </summary>
public sealed class CaptionWordExtractor(PosTagger tagger)
{
    private static readonly string[] Empty = [];

    [ThreadStatic] private static List<Token>? t_tokens;

    public PosTagger Tagger { get; } = tagger;

    public (IReadOnlyList<string> Nouns, IReadOnlyList<string> Verbs) Extract(string? caption, bool lemmatize = false)
    {
        if (string.IsNullOrWhiteSpace(caption)) return (Empty, Empty);
        var tokens = t_tokens ??= new List<Token>(64);
        PtbTokenizer.Tokenize(caption, tokens);
        if (tokens.Count == 0) return (Empty, Empty);

        byte[]? rented = null;
        Span<byte> tags = tokens.Count <= 256 ? stackalloc byte[tokens.Count] : (rented = ArrayPool<byte>.Shared.Rent(tokens.Count)).AsSpan(0, tokens.Count);
        try
        {
            var tokenSpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens);
            Tagger.Tag(caption, tokenSpan, tags);
            List<string>? nouns = null, verbs = null;
            var tagNames = Tagger.Model.Tags;
            for (int i = 0; i < tokenSpan.Length; i++)
            {
                var token = tokenSpan[i];
                var tag = tagNames[tags[i]];
                bool noun = KeptTags.IsNoun(tag), verb = !noun && KeptTags.IsVerb(tag);
                if (!noun && !verb) continue;
                if (token.Kind == TokenKind.UserPlaceholder || token.Kind == TokenKind.Url || token.Kind == TokenKind.Emoticon) continue;
                string word = token.Kind == TokenKind.PersonPlaceholder ? "person" : caption.Substring(token.Start, token.Length);
                if (lemmatize && token.Kind == TokenKind.Word) word = Tagger.Model.Lemmatizer.Lemmatize(word, tag);
                (noun ? nouns ??= new List<string>() : verbs ??= new List<string>()).Add(word);
            }
            return ((IReadOnlyList<string>?)nouns ?? Empty, (IReadOnlyList<string>?)verbs ?? Empty);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Every token of the caption with its tag (for <c>nlp tag</c> and inspection).</summary>
    public IReadOnlyList<TaggedToken> Tag(string? caption)
    {
        var tokens = PtbTokenizer.Tokenize(caption);
        if (tokens.Count == 0) return [];
        var tags = new byte[tokens.Count];
        Tagger.Tag(caption!, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(tokens), tags);
        return tokens.Select((t, i) => new TaggedToken(caption!.Substring(t.Start, t.Length), Tagger.Model.Tags[tags[i]], t.Kind)).ToList();
    }
}
