namespace SSeg.Shards.Commits;

/// <summary>
/// The content of one commit object: the committed shard's entry (its <see cref="ShardEntry.Version"/> equals the
/// version in the object's name) and, for mask shards, the generator that made it.
/// </summary>
public sealed record ShardCommitObject
{
    /// <summary>The commit object schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    public required ShardEntry Entry { get; init; }
    public MaskGeneratorInfo? Generator { get; init; }
}

/// <summary>
/// A compacted snapshot of the commit log: the newest entry of every shard whose commit object was listed when
/// the checkpoint was made. A cache, never the truth: commit objects are kept, so a reader that starts from any
/// checkpoint and reads the commit objects it does not cover sees the same shards as one that reads them all.
/// </summary>
/// <remarks>
/// Schema 2 (this library) is an index of <see cref="Segments"/>, one per block of 1,000 shards of one kind, each
/// stored once under a content-derived name; schema 1 listed every entry in <see cref="Shards"/> and is still read.
/// </remarks>
public sealed record CommitCheckpoint
{
    /// <summary>The checkpoint schema version this library writes.</summary>
    public const int CurrentSchemaVersion = 2;

    public int SchemaVersion { get; init; } = CurrentSchemaVersion;
    /// <summary>
    /// How many commit objects this checkpoint covers (read from the listing behind it); its name carries the count,
    /// so that the newest of one writer's checkpoints sorts last.
    /// </summary>
    public long CommitObjects { get; init; }
    public DateTimeOffset CreatedUtc { get; init; }
    /// <summary>
    /// The journal minute from which a new reader of this checkpoint lists the journal instead of every commit object
    /// name: the start of the window its writer's next poll would have listed (its read's time less
    /// <see cref="CommitJournal.LookBack"/>), or, written part-way through a read of the journal, where that read's
    /// listing started (the objects it had not fetched yet are named there). Null when written part-way through a
    /// listing of every name, or by an older build; a new reader then lists every name.
    /// </summary>
    public DateTimeOffset? JournalFrom { get; init; }
    /// <summary>Every entry, in schema-1 checkpoints only.</summary>
    public IReadOnlyList<ShardEntry> Shards { get; init; } = [];
    /// <summary>The segments, by kind then block (schema 2).</summary>
    public IReadOnlyList<CheckpointSegmentRef> Segments { get; init; } = [];
    public IReadOnlyDictionary<string, MaskGeneratorInfo> Generators { get; init; } = new Dictionary<string, MaskGeneratorInfo>();
}

/// <summary>
/// What one read of the commit log cost: <see cref="CommitObjects"/> in the log as far as this reader knows (the
/// count of its last full listing plus the new objects the journal named since), <see cref="ObjectsRead"/>
/// fetched (only those neither in the loaded checkpoint nor seen by an earlier read in this process),
/// <see cref="ListCalls"/> list requests (pages of up to 5,000 names on Blob, one per journal minute at least; one
/// directory walk on disk per folder listed), and whether a checkpoint was loaded or written.
/// </summary>
public sealed record CommitLogRead(long CommitObjects, int ObjectsRead, int ListCalls, bool CheckpointLoaded, bool CheckpointWritten, TimeSpan Elapsed)
{
    /// <summary>True when this read listed every commit object name; false when it read only the journal.</summary>
    public bool FullListing { get; init; }

    /// <summary>
    /// True when this was a reader's first read and it read the journal from its checkpoint's
    /// <see cref="CommitCheckpoint.JournalFrom"/> instead of every commit object name.
    /// </summary>
    public bool StartedFromJournal { get; init; }

    /// <summary>True when this read was the dataset's sweep, or a step of it: after its journal listing, a listing of every commit object name or of one slice (<see cref="SweptSlice"/>).</summary>
    public bool Swept { get; init; }

    /// <summary>
    /// What this read's sweep listed: <c>""</c> for every commit object name, else the slice of a large dataset
    /// (<c>&lt;kind&gt;/part-&lt;lead digits&gt;</c>, <see cref="SweepSlices"/>); null when it did not sweep.
    /// </summary>
    public string? SweptSlice { get; init; }

    /// <summary>Journal entries the sweep filed again, for commit objects it found that the journal had not named.</summary>
    public int JournalEntriesRepaired { get; init; }

    /// <summary>Names the listings returned: the journal's minute logs, plus every commit object name on a full listing.</summary>
    public long NamesListed { get; init; }

    /// <summary>Minute logs of the journal this read read from its cursor: those that grew since the previous read.</summary>
    public int JournalLogsRead { get; init; }

    /// <summary>Bytes of journal records this read read: what was appended since the previous read.</summary>
    public long JournalBytesRead { get; init; }

    /// <summary>Journal lines this reader read whose commit objects were not there yet, and which it still waits for after this read.</summary>
    public int JournalLinesAwaited { get; init; }

    /// <summary>Checkpoint segments the first read of this reader loaded for heads: those without a sound heads file (0 after that).</summary>
    public int SegmentsLoaded { get; init; }

    /// <summary>Segment heads files the first read of this reader loaded (0 after that).</summary>
    public int HeadsLoaded { get; init; }

    /// <summary>Bytes of shard heads the reader holds in memory after this read: at most <see cref="CommitLogReader.HeadsHeldDefault"/> once it spills.</summary>
    public long HeadsHeldBytes { get; init; }

    /// <summary>Bytes of shard heads the reader keeps in its local spill file after this read (32 a shard beyond those held).</summary>
    public long HeadsSpilledBytes { get; init; }

    /// <summary>Checkpoint segments this read stored: the blocks that changed since their stored segment.</summary>
    public int SegmentsWritten { get; init; }

    /// <summary>Journal entries older than <see cref="CommitJournal.Retention"/> that the checkpoint writer of this read deleted.</summary>
    public int JournalEntriesTrimmed { get; init; }
}
