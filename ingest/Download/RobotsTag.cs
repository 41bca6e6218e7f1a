namespace SSeg.Ingest.Download;

/// <summary>
/// X-Robots-Tag opt-outs. A header value is a comma-separated directive list, optionally prefixed by
/// "agent:"; a prefixed list applies only when the agent is ours or "*".
/// </summary>
public static class RobotsTag
{
    /// <summary>The first opt-out directive that applies to us, or null.</summary>
    public static string? FindOptOut(IEnumerable<string> headerValues, string userAgentToken, IReadOnlyList<string> directives)
    {
        foreach (var value in headerValues)
        {
            var text = value;
            var colon = text.IndexOf(':');
            if (colon > 0)
            {
                var agent = text[..colon].Trim();
                // "unavailable_after: <date>" is a directive, not an agent.
                if (!agent.Equals("unavailable_after", StringComparison.OrdinalIgnoreCase))
                {
                    if (!agent.Equals("*") && !agent.Equals(userAgentToken, StringComparison.OrdinalIgnoreCase)) continue;
                    text = text[(colon + 1)..];
                }
            }
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                foreach (var d in directives)
                    if (part.Equals(d, StringComparison.OrdinalIgnoreCase))
                        return value.Trim();
        }
        return null;
    }
}
