// libtorch's random generator is process-global: tests that seed it (model init, resume equality) must not
// interleave with other tests drawing random numbers, so this assembly runs its tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
