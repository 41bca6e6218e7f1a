namespace SSeg.Eval.Datasets;

/// <summary>
/// Class lists of the evaluation datasets with the names used for text prompts (docs/method.md §7.1,
/// GroupViT's renames). Index 0 is background, never encoded as text.
/// </summary>
public static class EvalClassLists
{
    public const string Background = "background";

    /// <summary>Pascal VOC 2012: 21 classes.</summary>
    public static IReadOnlyList<string> Voc { get; } = new[]
    {
        "background", "aeroplane", "bicycle", "bird", "boat", "bottle", "bus", "car", "cat", "chair", "cow",
        "table", "dog", "horse", "motorbike", "person", "plant", "sheep", "sofa", "train", "monitor",
    };

    /// <summary>Pascal Context: 60 classes (0 background, 1..59 alphabetical by mmseg name).</summary>
    public static IReadOnlyList<string> PascalContext { get; } = new[]
    {
        "background", "airplane", "bag", "bed", "bedclothes", "bench", "bicycle", "bird", "boat", "book", "bottle",
        "building", "bus", "cabinet", "car", "cat", "ceiling", "chair", "cloth", "computer", "cow", "cup", "curtain",
        "dog", "door", "fence", "floor", "flower", "food", "grass", "ground", "horse", "keyboard", "light",
        "motorbike", "mountain", "mouse", "person", "plate", "platform", "plant", "road", "rock", "sheep", "shelves",
        "sidewalk", "sign", "sky", "snow", "sofa", "table", "track", "train", "tree", "truck", "monitor", "wall",
        "water", "window", "wood",
    };

    /// <summary>COCO-Object: 81 classes (background + the 80 COCO thing classes in category-id order).</summary>
    public static IReadOnlyList<string> CocoObject { get; } = new[]
    {
        "background", "person", "bicycle", "car", "motorcycle", "airplane", "bus", "train", "truck", "boat",
        "traffic light", "fire hydrant", "stop sign", "parking meter", "bench", "bird", "cat", "dog", "horse",
        "sheep", "cow", "elephant", "bear", "zebra", "giraffe", "backpack", "umbrella", "handbag", "tie", "suitcase",
        "frisbee", "skis", "snowboard", "sports ball", "kite", "baseball bat", "baseball glove", "skateboard",
        "surfboard", "tennis racket", "bottle", "wine glass", "cup", "fork", "knife", "spoon", "bowl", "banana",
        "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake", "chair", "couch",
        "potted plant", "bed", "dining table", "toilet", "tv", "laptop", "mouse", "remote", "keyboard", "cell phone",
        "microwave", "oven", "toaster", "sink", "refrigerator", "book", "clock", "vase", "scissors", "teddy bear",
        "hair drier", "toothbrush",
    };

    /// <summary>The foreground names (everything after index 0) of a list whose class 0 is background.</summary>
    public static IReadOnlyList<string> Foreground(IReadOnlyList<string> classes) => classes.Skip(1).ToArray();
}
