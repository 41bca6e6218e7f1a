using SSeg.Tests.Common;

namespace SSeg.Shards.Tests;

/// <summary>Where a contract test's datasets live: a fresh root on one backend per call, all removed when the test ends.</summary>
public abstract class TestRoots : IDisposable
{
    /// <summary>A root URI nobody else uses.</summary>
    public abstract string NewRootUri();

    /// <summary>The connection string child processes need (null for local roots).</summary>
    public abstract string? ConnectionString { get; }

    public abstract void Dispose();
}

/// <summary>Roots in a temporary folder, deleted with it.</summary>
public sealed class LocalTestRoots(string name) : TestRoots
{
    private readonly string _root = RepoPaths.NewTempDir(name);
    public override string NewRootUri() => Path.Combine(_root, Guid.NewGuid().ToString("N"));
    public override string? ConnectionString => null;
    public override void Dispose() => Directory.Delete(_root, recursive: true);
}

/// <summary>Roots in fresh Azurite containers, every one deleted when the test ends (<see cref="AzuriteFixture.DeleteContainers"/>).</summary>
public sealed class AzuriteTestRoots(AzuriteFixture azurite) : TestRoots
{
    public override string NewRootUri() => azurite.NewRootUri();
    public override string? ConnectionString => azurite.ConnectionString;
    public override void Dispose() => azurite.DeleteContainers();
}

/// <summary>Tests run once per storage backend: each subclass gives its backend's roots, disposed after each test.</summary>
public abstract class BackendContractTests(TestRoots roots) : IDisposable
{
    /// <inheritdoc cref="TestRoots.NewRootUri"/>
    protected string NewRootUri() => roots.NewRootUri();

    /// <inheritdoc cref="TestRoots.ConnectionString"/>
    protected string? ConnectionString => roots.ConnectionString;

    public void Dispose() => roots.Dispose();
}
