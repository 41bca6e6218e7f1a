namespace SSeg.Ingest.Nlp.Tokenization;

/// <summary>
/// Penn Treebank style tokenizer as UD English EWT applies it: punctuation split off, clitics split
/// (do|n't, ca|n't, it|'s, we|'re), hyphenated compounds split (15|-|year), while URLs, e-mail addresses,
/// numbers with separators (1,000.50, 12:30), abbreviations (U.S., Mr.) and emoticons stay whole.
/// Also accepts text that is already tokenized (CC3M: "actor attends the premiere .") and the source
/// placeholders <c>&lt;PERSON&gt;</c> (CC12M) and <c>&lt;usr&gt;</c> (RedCaps). Never throws; tokens are
/// slices of the input, so tokenizing allocates nothing beyond the output list.
/// </summary>
public static class PtbTokenizer
{
    public static List<Token> Tokenize(string? text)
    {
        var tokens = new List<Token>();
        Tokenize(text, tokens);
        return tokens;
    }

    /// <summary>Clears <paramref name="output"/> and fills it with the tokens of <paramref name="text"/>.</summary>
    public static void Tokenize(string? text, List<Token> output)
    {
        output.Clear();
        if (string.IsNullOrEmpty(text)) return;
        int n = text.Length, i = 0;
        while (i < n)
        {
            while (i < n && IsSeparatorAt(text, i)) i++;
            int start = i;
            while (i < n && !IsSeparatorAt(text, i)) i += char.IsHighSurrogate(text[i]) ? 2 : 1;
            if (i > start) SplitChunk(text, start, i, output);
        }
    }

    /// <summary>Whitespace, control and invisible format characters, and lone surrogates separate tokens.</summary>
    private static bool IsSeparatorAt(string text, int i)
    {
        char c = text[i];
        if (c <= ' ') return true;
        if (c < 0x7F) return false;
        if (char.IsWhiteSpace(c) || char.IsControl(c)) return true;
        if (char.IsHighSurrogate(c)) return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        if (char.IsLowSurrogate(c)) return true; // a low surrogate here is never part of a pair
        return c != '\u200D' && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;
    }

    private static void SplitChunk(string text, int s, int e, List<Token> output)
    {
        if (IsPlainWord(text.AsSpan(s, e - s)))
        {
            EmitWord(text, s, e, output); // the common case: letters and digits only
            return;
        }
        while (s < e)
        {
            int end;
            if ((end = MatchPlaceholder(text, s, e, out var kind)) > s) { output.Add(new Token(s, end - s, kind)); s = end; continue; }
            if ((end = MatchUrlOrEmail(text, s, e)) > s) { output.Add(new Token(s, end - s, TokenKind.Url)); s = end; continue; }
            if ((end = MatchEmoticon(text, s, e)) > s) { output.Add(new Token(s, end - s, TokenKind.Emoticon)); s = end; continue; }
            if ((end = MatchStandaloneClitic(text, s, e)) > s) { output.Add(new Token(s, end - s, TokenKind.Word)); s = end; continue; }

            char c = text[s];
            if (IsCurrency(c) && s + 1 < e && char.IsAsciiDigit(text[s + 1])) { output.Add(new Token(s, 1, TokenKind.Punctuation)); s++; continue; }

            int w = s;
            while (w < e && !IsSplitPoint(text, s, w, e)) w += char.IsHighSurrogate(text[w]) && w + 1 < e ? 2 : 1;
            if (w == s)
            {
                // Punctuation: a run of the same character ("...", "--", "!!!") is one token.
                int run = s + 1;
                while (run < e && text[run] == c) run++;
                output.Add(new Token(s, run - s, TokenKind.Punctuation));
                s = run;
                continue;
            }
            EmitWord(text, s, w, output);
            s = w;
        }
    }

    private static bool IsPlainWord(ReadOnlySpan<char> chunk)
    {
        if (chunk.Length == 2 && (chunk[1] == 'D' || chunk[1] == 'd')) return false; // xD
        return !chunk.ContainsAnyExcept(AsciiLettersAndDigits);
    }

    private static readonly System.Buffers.SearchValues<char> AsciiLettersAndDigits =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private static int MatchPlaceholder(string text, int s, int e, out TokenKind kind)
    {
        kind = TokenKind.Word;
        if (text[s] != '<') return s;
        var rest = text.AsSpan(s, e - s);
        if (rest.StartsWith("<person>", StringComparison.OrdinalIgnoreCase)) { kind = TokenKind.PersonPlaceholder; return s + 8; }
        if (rest.StartsWith("<usr>", StringComparison.OrdinalIgnoreCase)) { kind = TokenKind.UserPlaceholder; return s + 5; }
        return s;
    }

    private static int MatchUrlOrEmail(string text, int s, int e)
    {
        var rest = text.AsSpan(s, e - s);
        bool url = rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                   || rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                   || rest.StartsWith("ftp://", StringComparison.OrdinalIgnoreCase)
                   || (rest.Length > 6 && rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase));
        if (!url && char.IsAsciiLetterOrDigit(rest[0]))
        {
            int at = rest.IndexOf('@');
            url = at > 0 && rest[(at + 1)..].IndexOf('.') > 0 && rest[..at].IndexOfAny("()[]\"") < 0
                  || EndsWithDomain(TrimTrailingPunctuation(rest));
        }
        if (!url) return s;
        int end = s + TrimTrailingPunctuation(rest).Length;
        return end > s ? end : s;
    }

    private static readonly string[] Domains = [".com", ".org", ".net", ".edu", ".gov", ".co.uk", ".io"];

    private static bool EndsWithDomain(ReadOnlySpan<char> word)
    {
        if (word.Length < 6 || word.IndexOfAny("()[]\"',") >= 0) return false;
        foreach (var d in Domains)
            if (word.EndsWith(d, StringComparison.OrdinalIgnoreCase) && word.Length > d.Length && char.IsAsciiLetterOrDigit(word[^(d.Length + 1)]))
                return true;
        return false;
    }

    private static ReadOnlySpan<char> TrimTrailingPunctuation(ReadOnlySpan<char> s)
    {
        int len = s.Length;
        while (len > 0 && ".,;:!?)]}'\"”’»…".Contains(s[len - 1])) len--;
        return s[..len];
    }

    private static readonly string[] Emoticons =
    [
        ":-)", ":)", ":-(", ":(", ":-D", ":D", ";-)", ";)", ":-P", ":P", ":p", ";P", ";p", ":-/", ":/", ":|",
        ":'(", ":-O", ":O", ":o", ":*", ":]", ":[", "=)", "=(", "=D", "<3", "</3", "^_^", "^^", "-_-", "o_O",
        "O_o", "T_T", ">:(", "(:", "):", "xD", "XD", "B-)", "8-)",
    ];

    /// <summary>An emoticon that makes up the rest of the chunk (so "http:" or "see:" is never one).</summary>
    private static int MatchEmoticon(string text, int s, int e)
    {
        var rest = text.AsSpan(s, e - s);
        if (rest.Length > 4) return s;
        foreach (var emo in Emoticons)
            if (rest.SequenceEqual(emo)) return e;
        return s;
    }

    private static readonly string[] Clitics = ["'s", "'re", "'ll", "'ve", "'d", "'m", "n't", "’s", "’re", "’ll", "’ve", "’d", "’m", "n’t"];

    /// <summary>A clitic standing alone, as in pre-tokenized CC3M text ("the dog 's ball").</summary>
    private static int MatchStandaloneClitic(string text, int s, int e)
    {
        if (text[s] != '\'' && text[s] != '’' && text[s] != 'n' && text[s] != 'N') return s;
        foreach (var clitic in Clitics)
        {
            if (s + clitic.Length > e || !text.AsSpan(s, clitic.Length).Equals(clitic, StringComparison.OrdinalIgnoreCase)) continue;
            int after = s + clitic.Length;
            if (after == e || !char.IsLetterOrDigit(text[after])) return after;
        }
        return s;
    }

    private static bool IsCurrency(char c) => c is '$' or '£' or '€' or '¥' || (c > 0x7F && char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.CurrencySymbol);

    /// <summary>Whether a token that started at <paramref name="s"/> ends before position <paramref name="w"/>.</summary>
    private static bool IsSplitPoint(string text, int s, int w, int e)
    {
        char c = text[w];
        if (char.IsLetterOrDigit(c)) return false;
        char prev = w > s ? text[w - 1] : '\0';
        char next = w + 1 < e ? text[w + 1] : '\0';
        switch (c)
        {
            case ',':
            case ':':
                return !(char.IsAsciiDigit(prev) && char.IsAsciiDigit(next));
            case '.':
                if (w == s) return !char.IsAsciiDigit(next); // ".5" is a number
                if (char.IsLetterOrDigit(next)) return next == '.';
                return !IsAbbreviation(text.AsSpan(s, w + 1 - s));
            case '\'':
            case '’':
                if (w == s) return true;
                return !char.IsLetter(next) || IsCliticAt(text, w, e);
            case '-':
                if (w == s || next == '-' || prev == '-' || !char.IsLetterOrDigit(next)) return true;
                if (char.IsAsciiDigit(prev) && char.IsAsciiDigit(next)) return false; // 713-853-3989, 2010-2012
                return !(w - s == 1 && char.IsLetter(prev)); // e-mail, x-ray, t-shirt stay whole
            case '/':
            case '&':
            case '@':
            case '#':
            case '_':
            case '+':
            case '=':
            case '*':
            case '~':
            case '^':
            case '\\':
            case '|':
                return w == s && !char.IsLetterOrDigit(next);
            case '<':
                return true;
            default:
                if (char.IsHighSurrogate(c) || char.IsLowSurrogate(c)) return false;
                var cat = char.GetUnicodeCategory(c);
                // Combining marks and other scripts' symbols stay inside the word; punctuation splits.
                return cat is System.Globalization.UnicodeCategory.OpenPunctuation or System.Globalization.UnicodeCategory.ClosePunctuation
                    or System.Globalization.UnicodeCategory.InitialQuotePunctuation or System.Globalization.UnicodeCategory.FinalQuotePunctuation
                    or System.Globalization.UnicodeCategory.OtherPunctuation or System.Globalization.UnicodeCategory.DashPunctuation
                    or System.Globalization.UnicodeCategory.MathSymbol or System.Globalization.UnicodeCategory.CurrencySymbol;
        }
    }

    private static bool IsCliticAt(string text, int w, int e)
    {
        foreach (var clitic in Clitics)
        {
            if (clitic[0] == 'n') continue;
            if (w + clitic.Length > e || !text.AsSpan(w, clitic.Length).Equals(clitic, StringComparison.OrdinalIgnoreCase)) continue;
            int after = w + clitic.Length;
            if (after == e || !char.IsLetterOrDigit(text[after])) return true;
        }
        return false;
    }

    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
    {
        "mr.", "mrs.", "ms.", "dr.", "prof.", "st.", "jr.", "sr.", "inc.", "ltd.", "co.", "corp.", "vs.", "etc.",
        "jan.", "feb.", "mar.", "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "mt.",
        "ave.", "rd.", "blvd.", "dept.", "est.", "fig.", "approx.", "no.", "gov.", "gen.", "col.", "lt.", "sgt.",
    };

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> AbbreviationLookup = Abbreviations.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>"J.", "U.S.", "e.g." and listed abbreviations keep their final period.</summary>
    private static bool IsAbbreviation(ReadOnlySpan<char> wordWithPeriod)
    {
        if (wordWithPeriod.Length == 2) return char.IsLetter(wordWithPeriod[0]);
        if (wordWithPeriod[..^1].Contains('.'))
        {
            foreach (var ch in wordWithPeriod) if (ch != '.' && !char.IsLetter(ch)) return false;
            return true;
        }
        return wordWithPeriod.Length <= 7 && AbbreviationLookup.Contains(wordWithPeriod);
    }

    /// <summary>Emits a word, splitting a final clitic (do|n't, it|'s) or PTB's cannot→can|not, gonna→gon|na.</summary>
    private static void EmitWord(string text, int s, int w, List<Token> output)
    {
        var word = text.AsSpan(s, w - s);
        int split = -1;
        if (word.Length > 3 && (word.EndsWith("n't", StringComparison.OrdinalIgnoreCase) || word.EndsWith("n’t", StringComparison.OrdinalIgnoreCase)))
            split = w - 3;
        else if (word.Length == 6 && word.Equals("cannot", StringComparison.OrdinalIgnoreCase))
            split = s + 3;
        else if (word.Length == 5 && (word.Equals("gonna", StringComparison.OrdinalIgnoreCase) || word.Equals("wanna", StringComparison.OrdinalIgnoreCase) || word.Equals("gotta", StringComparison.OrdinalIgnoreCase)))
            split = s + 3;
        else
        {
            int apostrophe = word.LastIndexOfAny('\'', '’');
            if (apostrophe > 0 && IsCliticAt(text, s + apostrophe, w)) split = s + apostrophe;
        }
        if (split > s)
        {
            output.Add(new Token(s, split - s, TokenKind.Word));
            output.Add(new Token(split, w - split, TokenKind.Word));
        }
        else output.Add(new Token(s, w - s, TokenKind.Word));
    }
}
