using System.Buffers.Binary;
using System.Text;

namespace SSeg.Models.Tests;

/// <summary>The one safetensors metadata reader: every fault is an exception naming the file and what is wrong.</summary>
public sealed class SafetensorsMetadataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sseg-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A header-only file: the 8-byte length then <paramref name="json"/>, optionally cut short.</summary>
    private string Header(string name, string json, int? keep = null)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var bytes = new byte[8 + header.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllBytes(path, bytes[..(keep ?? bytes.Length)]);
        return path;
    }

    [Fact]
    public void MetadataIsReadWithoutTheWeightsAndAbsentKeysAreNull()
    {
        var path = Header("m.safetensors", """{"__metadata__":{"sseg.kind":"sseg","sseg.step":"12"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""");
        var metadata = SafetensorsFile.ReadMetadata(path);
        Assert.Equal("12", metadata.Get("sseg.step"));
        Assert.Equal("sseg", metadata.Require("sseg.kind", "an S-Seg checkpoint"));
        Assert.Null(metadata.Get("sseg.config"));
        Assert.Empty(SafetensorsFile.ReadMetadata(Header("none.safetensors", """{"w":{"dtype":"F32","shape":[],"data_offsets":[0,0]}}""")).Entries);
        Assert.True(SafetensorsFile.HasMetadata(path, "sseg.kind", "sseg"));
        Assert.False(SafetensorsFile.HasMetadata(path, "sseg.kind", "sseg-plus"));
    }

    [Fact]
    public void EachFaultNamesTheFileAndTheProblem()
    {
        var missing = Path.Combine(_dir, "nowhere", "m.safetensors");
        Assert.Contains(missing, Assert.Throws<FileNotFoundException>(() => SafetensorsFile.ReadMetadata(missing)).Message);

        void Fails(string path, string problem)
        {
            var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.ReadMetadata(path));
            Assert.StartsWith(path, e.Message);
            Assert.Contains(problem, e.Message);
            Assert.False(SafetensorsFile.HasMetadata(path, "sseg.kind", "sseg"));
        }

        Fails(Header("short.safetensors", "{}", keep: 5), "truncated safetensors file");
        Fails(Header("cut.safetensors", """{"__metadata__":{"a":"b"}}""", keep: 20), "truncated safetensors header");
        Fails(Header("zero.safetensors", ""), "header length 0");
        Fails(Header("json.safetensors", "{not json"), "not valid JSON");
        Fails(Header("array.safetensors", "[1,2]"), "not an object");
        Fails(Header("meta.safetensors", """{"__metadata__":[1]}"""), "__metadata__ is a JSON Array");
        Fails(Header("number.safetensors", """{"__metadata__":{"sseg.step":12}}"""), "'sseg.step' is a JSON Number, not a string");
        Assert.False(SafetensorsFile.HasMetadata(missing, "sseg.kind", "sseg"));
    }

    [Fact]
    public void ARequiredKeyThatIsMissingNamesTheKeyAndWhatTheFileShouldBe()
    {
        var path = Header("plain.safetensors", """{"__metadata__":{"sseg.kind":"sseg"}}""");
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.ReadMetadata(path).Require("sseg.config", "an S-Seg checkpoint"));
        Assert.Equal($"{path}: safetensors metadata has no 'sseg.config'; not an S-Seg checkpoint.", e.Message);
    }

    [Fact]
    public void TensorReadsFailTheSameWayAsMetadataReads()
    {
        var path = Header("json.safetensors", "{not json");
        var e = Assert.Throws<InvalidDataException>(() => SafetensorsFile.Read(path));
        Assert.StartsWith($"{path}: safetensors header is not valid JSON", e.Message);
    }
}
