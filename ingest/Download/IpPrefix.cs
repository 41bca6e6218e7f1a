using System.Net;

namespace SSeg.Ingest.Download;

/// <summary>An address prefix such as 10.0.0.0/8 or fc00::/7, with what it is (named in failure details).</summary>
internal sealed class IpPrefix
{
    private readonly byte[] _network;

    public IpPrefix(string cidr, string name)
    {
        var slash = cidr.IndexOf('/');
        _network = IPAddress.Parse(cidr[..slash]).GetAddressBytes();
        Length = int.Parse(cidr[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        if (Length < 0 || Length > _network.Length * 8) throw new ArgumentException($"bad prefix length in {cidr}", nameof(cidr));
        Text = cidr;
        Name = name;
    }

    public int Length { get; }

    public string Text { get; }

    public string Name { get; }

    /// <summary>True when the first <see cref="Length"/> bits of the address (4 or 16 bytes) equal the prefix's.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length != _network.Length) return false;
        var whole = Length / 8;
        if (!address[..whole].SequenceEqual(_network.AsSpan(0, whole))) return false;
        var rest = Length % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (address[whole] & mask) == (_network[whole] & mask);
    }

    public override string ToString() => $"{Name} ({Text})";
}
