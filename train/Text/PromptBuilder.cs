namespace SSeg.Train.Text;

/// <summary>
/// Multi-label prompts (docs/method.md §2.4, GroupViT WordAugTokenizeWrapper): the caption followed by
/// <see cref="MaxWords"/> prompts; k = min(MaxWords, #words) distinct nouns/verbs (by position) are drawn
/// uniformly, each put in a uniformly drawn template; missing prompts are copies of the caption.
/// </summary>
public sealed class PromptBuilder(int maxWords = 3, IReadOnlyList<string>? templates = null)
{
    public int MaxWords { get; } = maxWords;
    public IReadOnlyList<string> Templates { get; } = templates ?? PromptTemplates.ImageNet80;

    /// <summary>[caption, prompt_1 .. prompt_MaxWords].</summary>
    public string[] Build(string caption, IReadOnlyList<string> nouns, IReadOnlyList<string> verbs, Random rng)
    {
        var words = new List<string>(nouns.Count + verbs.Count);
        words.AddRange(nouns);
        words.AddRange(verbs);
        var result = new string[1 + MaxWords];
        result[0] = caption;
        int k = Math.Min(MaxWords, words.Count);
        // Partial Fisher–Yates: k positions without replacement.
        for (int i = 0; i < k; i++)
        {
            int j = i + rng.Next(words.Count - i);
            (words[i], words[j]) = (words[j], words[i]);
            result[1 + i] = PromptTemplates.Fill(Templates[rng.Next(Templates.Count)], words[i]);
        }
        for (int i = k; i < MaxWords; i++) result[1 + i] = caption;
        return result;
    }
}
