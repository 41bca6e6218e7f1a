using Xunit;

// The host tests start real servers, browsers and processes; one at a time keeps them within two cores.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
