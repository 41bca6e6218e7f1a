using SSeg.Eval.Protocol;

namespace SSeg.Eval.Reports;

/// <summary>All dataset results of one eval run.</summary>
/// <param name="Compute">Device, forward-pass dtype and threads the scores were computed with; null when not known.</param>
public sealed record RunReport(string RunName, string Model, DateTimeOffset Created, IReadOnlyList<DatasetEvaluation> Datasets,
    SSeg.Models.ComputeInfo? Compute = null)
{
    /// <summary>
    /// Mean of the datasets' mIoU (the "3-average" of the seed's Table 3 when the run has VOC, Context and
    /// COCO-Object); null with fewer than two datasets.
    /// </summary>
    public double? AverageMeanIoU => Datasets.Count >= 2 ? Datasets.Average(d => d.MeanIoU) : null;
}
