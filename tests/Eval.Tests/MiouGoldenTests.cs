using System.Text.Json;
using SSeg.Eval.Metrics;

namespace SSeg.Eval.Tests;

/// <summary>Checks <see cref="SegmentationMetrics"/> against the NumPy mmseg formula (Fixtures/generate_miou_fixture.py).</summary>
public class MiouGoldenTests
{
    [Fact]
    public void MatchesNumpyMmsegFormulaOnRandomLabelMaps()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Fixture("miou_golden.json")));
        var root = doc.RootElement;
        var m = new SegmentationMetrics(root.GetProperty("num_classes").GetInt32(), root.GetProperty("ignore_index").GetInt32());
        foreach (var image in root.GetProperty("images").EnumerateArray())
        {
            var gt = image.GetProperty("gt").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var pred = image.GetProperty("pred").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            m.Add(new LabelMap(image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32(), pred),
                new LabelMap(image.GetProperty("width").GetInt32(), image.GetProperty("height").GetInt32(), gt));
        }
        var inter = root.GetProperty("intersect").EnumerateArray().Select(e => (long)e.GetDouble()).ToArray();
        var union = root.GetProperty("union").EnumerateArray().Select(e => (long)e.GetDouble()).ToArray();
        Assert.Equal(inter, m.Intersect);
        Assert.Equal(union, Enumerable.Range(0, m.NumClasses).Select(m.Union).ToArray());
        var iou = root.GetProperty("iou").EnumerateArray().ToArray();
        for (int c = 0; c < m.NumClasses; c++)
        {
            if (iou[c].ValueKind == JsonValueKind.Null) Assert.True(double.IsNaN(m.IoU(c)), $"class {c} should be NaN");
            else Assert.Equal(iou[c].GetDouble(), m.IoU(c), 12);
        }
        Assert.Contains(iou, e => e.ValueKind == JsonValueKind.Null);
        Assert.Contains(iou, e => e.ValueKind == JsonValueKind.Number && e.GetDouble() == 0.0);
        Assert.Equal(root.GetProperty("miou").GetDouble(), m.MeanIoU, 12);
        Assert.Equal(root.GetProperty("macc").GetDouble(), m.MeanAccuracy, 12);
        Assert.Equal(root.GetProperty("aacc").GetDouble(), m.AllAccuracy, 12);
    }
}
