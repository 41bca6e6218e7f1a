namespace SSeg.Ingest.Nlp.Tokenization;

/// <summary>What a token is, as far as the tokenizer can tell without a tagger.</summary>
public enum TokenKind : byte
{
    Word,
    Punctuation,
    Url,
    Emoticon,
    /// <summary>CC12M's <c>&lt;PERSON&gt;</c> placeholder for a person's name.</summary>
    PersonPlaceholder,
    /// <summary>RedCaps' <c>&lt;usr&gt;</c> placeholder for a Reddit user name.</summary>
    UserPlaceholder,
}

/// <summary>A token as a slice of the text it came from (no string is allocated for it).</summary>
public readonly record struct Token(int Start, int Length, TokenKind Kind)
{
    public int End => Start + Length;

    public ReadOnlySpan<char> Slice(string text) => text.AsSpan(Start, Length);
}
