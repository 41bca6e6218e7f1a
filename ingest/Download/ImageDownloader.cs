using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;

namespace SSeg.Ingest.Download;

/// <summary>
/// Downloads one URL with: a single deadline per attempt (connect + headers + redirects + body), a body-size cap
/// enforced while streaming, manual redirects (each hop goes through the SSRF guard in the connect step),
/// retries with backoff for transient failures, per-host politeness, and X-Robots-Tag / placeholder checks.
/// Thread-safe; share one instance per run.
/// </summary>
public sealed class ImageDownloader : IDisposable
{
    private readonly DownloadOptions _options;
    private readonly HttpClient _client;
    private readonly HostGate _gate;

    public ImageDownloader(DownloadOptions options)
    {
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = options.Timeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            MaxConnectionsPerServer = Math.Max(1, options.PerHostConcurrency),
            ConnectCallback = ConnectGuardedAsync,
        };
        _client = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);
        _client.DefaultRequestHeaders.Accept.ParseAdd("image/avif,image/webp,image/png,image/jpeg,image/*;q=0.8,*/*;q=0.5");
        _gate = new HostGate(Math.Max(1, options.PerHostConcurrency), options.PerHostMinInterval, options.HostMinIntervals);
    }

    public HostGate Gate => _gate;

    public async Task<DownloadResult> DownloadAsync(string url, CancellationToken ct)
    {
        DownloadResult result = DownloadResult.Failure(FailureReasons.Internal, "not attempted", 0);
        for (var attempt = 0; attempt <= _options.MaxRetries; attempt++)
        {
            var (r, retryAfter) = await AttemptAsync(url, ct);
            result = r with { Attempts = attempt + 1 };
            if (result.Ok || retryAfter is null || attempt == _options.MaxRetries) return result;
            await Task.Delay(Backoff(attempt, retryAfter.Value), ct);
        }
        return result;
    }

    private TimeSpan Backoff(int attempt, TimeSpan retryAfter)
    {
        var exp = _options.RetryBaseDelay * Math.Pow(2, attempt);
        var jitter = exp * (Random.Shared.NextDouble() * 0.25);
        var delay = exp + jitter;
        if (retryAfter > delay) delay = retryAfter;
        return delay > _options.MaxRetryDelay ? _options.MaxRetryDelay : delay;
    }

    /// <summary>One attempt. retryAfter is non-null when the failure is transient (TimeSpan.Zero: use the backoff).</summary>
    private async Task<(DownloadResult Result, TimeSpan? RetryAfter)> AttemptAsync(string url, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(_options.Timeout);
        var current = new Uri(url);
        var visited = new HashSet<string>(StringComparer.Ordinal) { current.AbsoluteUri };
        try
        {
            for (var hop = 0; ; hop++)
            {
                if (!IsHttp(current))
                    return (DownloadResult.Failure(FailureReasons.BadRedirect, $"redirect to non-http(s) URL {current}"), null);
                var blocked = LiteralBlocked(current);
                if (blocked is not null)
                    return (DownloadResult.Failure(FailureReasons.BlockedAddress, blocked), null);

                using var lease = await _gate.EnterAsync(current.IdnHost, deadline.Token);
                using var request = new HttpRequestMessage(HttpMethod.Get, current) { Version = HttpVersion.Version11 };
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var status = (int)response.StatusCode;

                if (status is 301 or 302 or 303 or 307 or 308)
                {
                    var location = response.Headers.Location;
                    if (location is null)
                        return (DownloadResult.Failure(FailureReasons.BadRedirect, $"HTTP {status} without Location at {current}"), null);
                    var next = location.IsAbsoluteUri ? location : new Uri(current, location);
                    if (hop + 1 > _options.MaxRedirects)
                        return (DownloadResult.Failure(FailureReasons.TooManyRedirects, $"more than {_options.MaxRedirects} redirects, last {next}"), null);
                    if (!visited.Add(next.AbsoluteUri))
                        return (DownloadResult.Failure(FailureReasons.RedirectLoop, $"redirect loop back to {next}"), null);
                    current = next;
                    continue;
                }

                if (status < 200 || status > 299)
                {
                    TimeSpan? retry = status == 429 || status >= 500 ? RetryAfter(response.Headers) : null;
                    return (DownloadResult.Failure(FailureReasons.Http(status), $"HTTP {status} {response.ReasonPhrase} from {current}", finalUrl: current.AbsoluteUri), retry);
                }

                if (_options.RespectOptOut && response.Headers.TryGetValues("X-Robots-Tag", out var robots))
                {
                    var optOut = RobotsTag.FindOptOut(robots, _options.UserAgentToken, _options.OptOutDirectives);
                    if (optOut is not null)
                        return (DownloadResult.Failure(FailureReasons.OptOut, $"X-Robots-Tag: {optOut}", finalUrl: current.AbsoluteUri), null);
                }

                if (PlaceholderRules.IsPlaceholderUrl(current))
                    return (DownloadResult.Failure(FailureReasons.Placeholder, $"redirected to placeholder {current}", finalUrl: current.AbsoluteUri), null);

                var contentType = response.Content.Headers.ContentType?.MediaType;
                if (contentType is not null && (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase)
                                                || contentType.Contains("html", StringComparison.OrdinalIgnoreCase)))
                    return (DownloadResult.Failure(FailureReasons.NotImage, $"Content-Type {contentType} from {current}", finalUrl: current.AbsoluteUri), null);

                var declared = response.Content.Headers.ContentLength;
                if (declared > _options.MaxBodyBytes)
                    return (DownloadResult.Failure(FailureReasons.TooLarge, $"Content-Length {declared} > {_options.MaxBodyBytes}", finalUrl: current.AbsoluteUri), null);

                var body = await ReadBodyAsync(response.Content, declared, deadline.Token);
                if (body is null)
                    return (DownloadResult.Failure(FailureReasons.TooLarge, $"body exceeds {_options.MaxBodyBytes} bytes", finalUrl: current.AbsoluteUri), null);
                if (body.Length == 0)
                    return (DownloadResult.Failure(FailureReasons.EmptyBody, $"empty body from {current}", finalUrl: current.AbsoluteUri), null);
                return (DownloadResult.Success(body, current.AbsoluteUri, contentType, 1), null);
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (DownloadResult.Failure(FailureReasons.Timeout, $"no complete response within {_options.Timeout.TotalSeconds:0.#} s from {current}"), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or SocketException or BlockedAddressException or AuthenticationException)
        {
            if (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
                return (DownloadResult.Failure(FailureReasons.Timeout, $"no complete response within {_options.Timeout.TotalSeconds:0.#} s from {current}"), null);
            var (reason, transient) = Classify(e);
            return (DownloadResult.Failure(reason, $"{Describe(e)} ({current})"), transient ? TimeSpan.Zero : null);
        }
    }

    /// <summary>
    /// Reads the body up to the cap. Null when it is larger than the cap. The socket reads go into a small buffer on
    /// the pinned-object heap and are copied into the body: a body array pinned by a pending read would stop the
    /// GC from compacting the large-object heap, and memory would fragment and grow over a long run.
    /// </summary>
    private async Task<byte[]?> ReadBodyAsync(HttpContent content, long? declared, CancellationToken ct)
    {
        await using var stream = await content.ReadAsStreamAsync(ct);
        var max = _options.MaxBodyBytes;
        var chunk = ReadBuffers.Rent();
        try
        {
            var body = new byte[declared is > 0 ? (int)Math.Min(declared.Value, max + 1) : 64 * 1024];
            var length = 0;
            while (true)
            {
                var read = await stream.ReadAsync(chunk, ct);
                if (read == 0) break;
                if (length + read > max) return null;
                if (length + read > body.Length)
                    Array.Resize(ref body, (int)Math.Min(Math.Max((long)body.Length * 2, length + read), max + 1));
                chunk.AsSpan(0, read).CopyTo(body.AsSpan(length));
                length += read;
            }
            if (length != body.Length) Array.Resize(ref body, length);
            return body;
        }
        finally
        {
            ReadBuffers.Return(chunk);
        }
    }

    /// <summary>64 KiB read buffers on the pinned-object heap, reused across downloads.</summary>
    private static class ReadBuffers
    {
        private static readonly System.Collections.Concurrent.ConcurrentBag<byte[]> Free = [];

        public static byte[] Rent() => Free.TryTake(out var b) ? b : GC.AllocateUninitializedArray<byte>(64 * 1024, pinned: true);

        public static void Return(byte[] buffer) { if (Free.Count < 256) Free.Add(buffer); }
    }

    private static TimeSpan RetryAfter(HttpResponseHeaders headers)
    {
        var ra = headers.RetryAfter;
        if (ra?.Delta is { } delta) return delta;
        if (ra?.Date is { } date) return date - DateTimeOffset.UtcNow is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
        return TimeSpan.Zero;
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    private string? LiteralBlocked(Uri uri)
    {
        if (_options.AllowPrivateAddresses) return null;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IsExempt(uri.IdnHost, uri.Port)) return null;
        if (uri.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 && IPAddress.TryParse(uri.IdnHost.Trim('[', ']'), out var ip)
            && AddressGuard.Reason(ip) is { } reason)
            return $"{uri.Host} is {reason} (blocked; allow with --allow-private)";
        if (uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return $"{uri.Host} is loopback (blocked; allow with --allow-private)";
        return null;
    }

    private bool IsExempt(string host, int port) =>
        _options.GuardExemptEndpoints.Count > 0 && _options.GuardExemptEndpoints.Contains($"{host.Trim('[', ']')}:{port}");

    /// <summary>
    /// Resolves the host once and connects only to the resolved addresses the SSRF guard accepts, so the address
    /// checked is the address connected (no second lookup a rebinding DNS server could answer differently). Every
    /// new connection comes through here, on every redirect hop; requests stay HTTP/1.1 because HTTP/3 (QUIC)
    /// would open its connections without this callback.
    /// </summary>
    private async ValueTask<Stream> ConnectGuardedAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var host = context.DnsEndPoint.Host;
        IPAddress[] addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        var port = context.DnsEndPoint.Port;
        var allowed = _options.AllowPrivateAddresses
            ? addresses
            : addresses.Where(a => !AddressGuard.IsBlocked(a) || IsExempt(a.ToString(), port)).ToArray();
        if (allowed.Length == 0) throw new BlockedAddressException(host, addresses[0], AddressGuard.Reason(addresses[0]) ?? "refused");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static (string Reason, bool Transient) Classify(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case BlockedAddressException: return (FailureReasons.BlockedAddress, false);
                case AuthenticationException: return (FailureReasons.Tls, false);
                case SocketException se when se.SocketErrorCode is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain:
                    return (FailureReasons.Dns, false);
                case SocketException se when se.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted:
                    return (FailureReasons.ConnectionReset, false);
            }
        }
        if (e is HttpRequestException hre)
        {
            return hre.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => (FailureReasons.Dns, false),
                HttpRequestError.ConnectionError => (FailureReasons.Connect, true),
                HttpRequestError.SecureConnectionError => (FailureReasons.Tls, false),
                HttpRequestError.ResponseEnded => (FailureReasons.ConnectionReset, false),
                _ => (FailureReasons.Network, false),
            };
        }
        for (var x = e; x is not null; x = x.InnerException)
            if (x is SocketException) return (FailureReasons.Connect, true);
        return (FailureReasons.Network, false);
    }

    private static string Describe(Exception e)
    {
        var inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return ReferenceEquals(inner, e) ? e.Message : $"{e.Message}: {inner.Message}";
    }

    public void Dispose() => _client.Dispose();
}
