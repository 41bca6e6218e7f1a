using SSeg.Shards.Parquet;

namespace SSeg.Shards.Tests;

public sealed class WriteBehindStreamTests
{
    [Fact]
    public async Task Everything_written_reaches_the_inner_stream_in_order()
    {
        var inner = new MemoryStream();
        var data = new byte[10_000_019];
        new Random(5).NextBytes(data);
        var stream = new WriteBehindStream(inner, maxChunks: 2);
        for (var offset = 0; offset < data.Length; offset += 777_777)
            await stream.WriteAsync(data.AsMemory(offset, Math.Min(777_777, data.Length - offset)));
        Assert.Equal(data.Length, stream.Position);
        await stream.CompleteAsync(default);
        Assert.Equal(data, inner.ToArray());
    }

    [Fact]
    public async Task A_failing_inner_stream_surfaces_its_error()
    {
        var stream = new WriteBehindStream(new FailingStream(), maxChunks: 1);
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            for (var i = 0; i < 50; i++) await stream.WriteAsync(new byte[4 << 20]);   // far more than the queue holds: must not hang
            await stream.CompleteAsync(default);
        });
        Assert.Equal("disk full", e.Message);
        stream.Dispose();
    }

    private sealed class FailingStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => 0;
        public override long Position { get => 0; set { } }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) { }
        public override void Write(byte[] buffer, int offset, int count) => throw new IOException("disk full");
    }
}
