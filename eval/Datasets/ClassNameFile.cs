namespace SSeg.Eval.Datasets;

/// <summary>Reads a class-name list: one prompt name per line, in label order (blank lines and '#' comments skipped).</summary>
public static class ClassNameFile
{
    public static IReadOnlyList<string> Read(string path, string datasetName)
    {
        DatasetFiles.RequireFile(path, datasetName, "class-name list");
        var names = File.ReadLines(path).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        if (names.Count < 2) throw new InvalidDataException($"{datasetName}: class-name list {path} has {names.Count} name(s); need at least 2");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidDataException($"{datasetName}: class name '{duplicate.Key}' appears twice in {path}");
        return names;
    }
}
