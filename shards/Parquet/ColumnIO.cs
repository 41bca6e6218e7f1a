using Parquet;
using Parquet.Data;
using Parquet.Schema;

namespace SSeg.Shards.Parquet;

/// <summary>Typed column writes and reads on Parquet.Net's low-level row-group API.</summary>
internal static class ColumnIO
{
    public static Task WriteStringsAsync(ParquetRowGroupWriter rg, DataField field, IReadOnlyCollection<string?> values) =>
        rg.WriteAsync(field, values!, null);

    public static Task WriteBytesAsync(ParquetRowGroupWriter rg, DataField field, IReadOnlyCollection<byte[]> values) =>
        rg.WriteAsync(field, values, null);

    public static Task WriteInt32Async(ParquetRowGroupWriter rg, DataField field, int[] values, CancellationToken ct) =>
        rg.WriteAsync<int>(field, values.AsMemory(), null, null!, ct);

    /// <summary>
    /// Writes list&lt;string&gt; (optional list, optional element). Levels follow the Dremel encoding:
    /// a value has the max definition level, an empty list one level for the list wrapper only.
    /// </summary>
    public static Task WriteStringListsAsync(ParquetRowGroupWriter rg, DataField element, IReadOnlyList<IReadOnlyList<string>> lists, CancellationToken ct)
    {
        var maxDef = element.MaxDefinitionLevel;
        var emptyDef = maxDef - 2;   // list present but no element (element optional adds one level, repeated group another)
        var values = new List<ReadOnlyMemory<char>>();
        var defs = new List<int>();
        var reps = new List<int>();
        foreach (var list in lists)
        {
            if (list.Count == 0) { defs.Add(emptyDef); reps.Add(0); continue; }
            for (var i = 0; i < list.Count; i++)
            {
                values.Add(list[i].AsMemory());
                defs.Add(maxDef);
                reps.Add(i == 0 ? 0 : 1);
            }
        }
        return rg.WriteAllPartsAsync<ReadOnlyMemory<char>>(element, values.ToArray(), defs.ToArray(), reps.ToArray(), ct);
    }

    public static async Task<string?[]> ReadStringsAsync(ParquetRowGroupReader rg, DataField field, int rows, CancellationToken ct)
    {
        var values = new string?[rows];
        await rg.ReadAsync(field, values.AsMemory(), null, ct);
        return values;
    }

    public static async Task<byte[]?[]> ReadBytesAsync(ParquetRowGroupReader rg, DataField field, int rows, CancellationToken ct)
    {
        var values = new byte[]?[rows];
        await rg.ReadAsync(field, values.AsMemory(), null, ct);
        return values;
    }

    public static async Task<int[]> ReadInt32Async(ParquetRowGroupReader rg, DataField field, int rows, CancellationToken ct)
    {
        if (field.IsNullable)
        {
            var nullable = new int?[rows];
            await rg.ReadAsync<int>(field, nullable.AsMemory(), null, ct);
            return nullable.Select(v => v ?? 0).ToArray();
        }
        var values = new int[rows];
        await rg.ReadAsync<int>(field, values.AsMemory(), null, ct);
        return values;
    }

    /// <summary>Reassembles list&lt;string&gt; rows from values plus repetition/definition levels.</summary>
    public static async Task<IReadOnlyList<string>[]> ReadStringListsAsync(ParquetRowGroupReader rg, DataField element, int rows, CancellationToken ct)
    {
        using var raw = await rg.ReadRawColumnDataBaseAsync(element, ct);
        var result = new IReadOnlyList<string>[rows];
        if (raw is not RawColumnData<ReadOnlyMemory<char>> chars)
            throw new InvalidDataException($"Column {element.Path} is not a list of strings ({raw.GetType().Name}).");
        var defs = raw.DefinitionLevels.ToArray();
        var reps = raw.RepetitionLevels.ToArray();
        var rawValues = chars.Values;
        var values = new string[rawValues.Length];
        for (var i = 0; i < values.Length; i++) values[i] = rawValues[i].ToString();
        var maxDef = element.MaxDefinitionLevel;
        var row = -1;
        var next = 0;
        List<string>? current = null;
        for (var i = 0; i < defs.Length; i++)
        {
            if (reps[i] == 0)
            {
                if (current is not null) result[row] = current;
                row++;
                if (row >= rows) throw new InvalidDataException($"Column {element.Path} holds more lists than the row group's {rows} rows.");
                current = [];
            }
            if (defs[i] == maxDef) current!.Add(values[next++]);
        }
        if (current is not null) result[row] = current;
        for (var r = 0; r < rows; r++) result[r] ??= [];
        return result;
    }
}
