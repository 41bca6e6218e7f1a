using Hangfire.Dashboard;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Registers the host's pages under the Hangfire dashboard and links them from its menu.</summary>
public static class DashboardPages
{
    public const string AntiforgeryField = "__RequestVerificationToken";
    private static int _registered;

    public static void Register(IServiceProvider services)
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return; // Hangfire's route table is static
        NavigationMenu.Items.Add(page => new MenuItem("Run", page.Url.To("/sseg/run")) { Active = page.RequestPath.StartsWith("/sseg/run", StringComparison.Ordinal) });
        NavigationMenu.Items.Add(page => new MenuItem("Schedules", page.Url.To("/sseg/schedules")) { Active = page.RequestPath.StartsWith("/sseg/schedules", StringComparison.Ordinal) });
        NavigationMenu.Items.Add(page => new MenuItem("Datasets", page.Url.To("/sseg/datasets")) { Active = page.RequestPath.StartsWith("/sseg/datasets", StringComparison.Ordinal) });
        NavigationMenu.Items.Add(page => new MenuItem("Pipeline runs", page.Url.To("/sseg/runs")) { Active = page.RequestPath.StartsWith("/sseg/runs", StringComparison.Ordinal) });
    }
}

