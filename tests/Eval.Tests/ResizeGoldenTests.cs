using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SSeg.Eval.Protocol;
using TorchSharp;
using static TorchSharp.torch;

namespace SSeg.Eval.Tests;

/// <summary>Resize rules against mmcv / torch.nn.functional.interpolate / cv2 (Fixtures/generate_resize_fixture.py).</summary>
public class ResizeGoldenTests
{
    private static readonly JsonElement Golden =
        JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("resize_golden.json"))).RootElement;

    [Fact]
    public void TargetSizeFollowsMmcvKeepRatioRule()
    {
        foreach (var s in Golden.GetProperty("sizes").EnumerateArray())
        {
            var (w, h) = KeepRatioResize.TargetSize(s.GetProperty("w").GetInt32(), s.GetProperty("h").GetInt32());
            Assert.Equal((s.GetProperty("tw").GetInt32(), s.GetProperty("th").GetInt32()), (w, h));
        }
    }

    [Fact]
    public void ImageResizeMatchesTorchAndCv2()
    {
        var img = Golden.GetProperty("image");
        int h = img.GetProperty("h").GetInt32(), w = img.GetProperty("w").GetInt32();
        var rgb = img.GetProperty("rgb").EnumerateArray().Select(e => (byte)e.GetInt32()).ToArray();
        using var image = Image.LoadPixelData<Rgb24>(rgb, w, h);
        using var t = KeepRatioResize.ToTensor(image);
        foreach (var r in img.GetProperty("resized").EnumerateArray())
        {
            int tw = r.GetProperty("w").GetInt32(), th = r.GetProperty("h").GetInt32();
            using var resized = KeepRatioResize.ResizeImage(t, tw, th);
            var ours = resized.data<float>().ToArray();
            var torchRef = r.GetProperty("torch").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var cv2Ref = r.GetProperty("cv2").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(torchRef.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++)
            {
                Assert.True(Math.Abs(torchRef[i] - ours[i]) <= 0.5 + 1e-3, $"pixel {i}: {ours[i]} vs torch {torchRef[i]}"); // ours is rounded to 8-bit
                Assert.True(Math.Abs(ours[i] - cv2Ref[i]) <= 1, $"pixel {i}: {ours[i]} vs cv2 {cv2Ref[i]}");
            }
        }
    }

    [Fact]
    public void ScoreMapResizeMatchesTorchInterpolateAlignCornersFalse()
    {
        var s = Golden.GetProperty("scores");
        var values = s.GetProperty("values").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        using var scores = tensor(values, new long[] { s.GetProperty("c").GetInt32(), s.GetProperty("h").GetInt32(), s.GetProperty("w").GetInt32() });
        foreach (var r in s.GetProperty("resized").EnumerateArray())
        {
            using var resized = SegmentationPredictor.ResizeScores(scores, r.GetProperty("w").GetInt32(), r.GetProperty("h").GetInt32());
            var expected = r.GetProperty("values").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var ours = resized.data<float>().ToArray();
            Assert.Equal(expected.Length, ours.Length);
            for (int i = 0; i < ours.Length; i++) Assert.Equal(expected[i], ours[i], 1e-5);
        }
    }

    [Fact]
    public void NormalizeUsesImageNetMeanAndStdOn255Scale()
    {
        using var px = tensor(new float[] { 123.675f, 116.28f, 103.53f, 255f, 0f, 58.395f }, new long[] { 1, 3, 1, 2 });
        using var n = KeepRatioResize.Normalize(px);
        var v = n.data<float>().ToArray();
        // layout [1, 3, 1, 2]: channel c holds v[2c], v[2c + 1]
        Assert.Equal(0f, v[0], 1e-5f);
        Assert.Equal((116.28f - 123.675f) / 58.395f, v[1], 1e-5f);
        Assert.Equal((255f - 116.28f) / 57.12f, v[3], 1e-5f);
        Assert.Equal(-103.53f / 57.375f, v[4], 1e-5f);
        Assert.Equal((58.395f - 103.53f) / 57.375f, v[5], 1e-5f);
    }
}
