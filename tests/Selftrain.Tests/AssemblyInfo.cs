// libtorch's random generator is process-global: tests that seed it (model init, dropout, augmentation) must not
// interleave, or a training run's outcome depends on what another test drew meanwhile.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
