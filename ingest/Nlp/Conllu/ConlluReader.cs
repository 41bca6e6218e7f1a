namespace SSeg.Ingest.Nlp.Conllu;

/// <summary>One syntactic word of a CoNLL-U sentence (the columns the tagger needs).</summary>
public sealed record ConlluWord(string Form, string Lemma, string Upos, string Xpos);

/// <summary>A sentence: its syntactic words in order (multi-word token lines and empty nodes are not words).</summary>
public sealed record ConlluSentence(string? Id, string? Text, IReadOnlyList<ConlluWord> Words);

/// <summary>Bad CoNLL-U input, naming the file (or source) and line.</summary>
public sealed class ConlluFormatException(string source, int line, string message)
    : FormatException($"{source}:{line}: {message}")
{
    public string SourceName { get; } = source;
    public int LineNumber { get; } = line;
}

/// <summary>
/// Reads CoNLL-U (https://universaldependencies.org/format.html): comment lines (# sent_id, # text kept),
/// word lines with integer ids, multi-word token ranges (1-2, kept out: their words follow as their own lines),
/// empty nodes (8.1, kept out: enhanced-graph copies), blank lines between sentences, a missing final blank line.
/// </summary>
public static class ConlluReader
{
    public static IEnumerable<ConlluSentence> ReadFile(string path)
    {
        using var reader = new StreamReader(path);
        foreach (var sentence in Read(reader, path)) yield return sentence;
    }

    public static IReadOnlyList<ConlluSentence> Parse(string text, string sourceName = "<text>")
    {
        using var reader = new StringReader(text);
        return Read(reader, sourceName).ToList();
    }

    public static IEnumerable<ConlluSentence> Read(TextReader reader, string sourceName)
    {
        var words = new List<ConlluWord>();
        string? id = null, text = null;
        int lineNumber = 0, expectedId = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
            if (line.Length == 0 || line.AsSpan().IsWhiteSpace())
            {
                if (words.Count > 0) yield return new ConlluSentence(id, text, words.ToArray());
                words.Clear(); id = null; text = null; expectedId = 1;
                continue;
            }
            if (line[0] == '#')
            {
                if (TryComment(line, "sent_id", out var v)) id = v;
                else if (TryComment(line, "text", out v)) text = v;
                continue;
            }
            var columns = line.Split('\t');
            if (columns.Length != 10)
                throw new ConlluFormatException(sourceName, lineNumber, $"expected 10 tab-separated columns, found {columns.Length}");
            var wordId = columns[0];
            if (wordId.Contains('-') || wordId.Contains('.'))
            {
                if (!IsRangeOrEmptyNode(wordId))
                    throw new ConlluFormatException(sourceName, lineNumber, $"bad word id '{wordId}'");
                continue;
            }
            if (!int.TryParse(wordId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                throw new ConlluFormatException(sourceName, lineNumber, $"bad word id '{wordId}'");
            if (n != expectedId)
                throw new ConlluFormatException(sourceName, lineNumber, $"word id {n} out of sequence (expected {expectedId})");
            expectedId++;
            if (columns[1].Length == 0)
                throw new ConlluFormatException(sourceName, lineNumber, "empty FORM column");
            words.Add(new ConlluWord(columns[1], columns[2], columns[3], columns[4]));
        }
        if (words.Count > 0) yield return new ConlluSentence(id, text, words.ToArray());
    }

    private static bool TryComment(string line, string key, out string value)
    {
        value = "";
        var body = line.AsSpan(1).TrimStart();
        if (!body.StartsWith(key, StringComparison.Ordinal)) return false;
        var rest = body[key.Length..].TrimStart();
        if (rest.Length == 0 || rest[0] != '=') return false;
        value = rest[1..].Trim().ToString();
        return true;
    }

    private static bool IsRangeOrEmptyNode(string id)
    {
        var sep = id.IndexOfAny(['-', '.']);
        return sep > 0 && sep < id.Length - 1
            && id.AsSpan(0, sep).IndexOfAnyExceptInRange('0', '9') < 0
            && id.AsSpan(sep + 1).IndexOfAnyExceptInRange('0', '9') < 0;
    }
}
