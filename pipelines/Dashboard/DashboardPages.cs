using Hangfire.Dashboard;

namespace SSeg.Pipelines.Dashboard;

/// <summary>Registers the host's pages under the Hangfire dashboard and links them from its menu.</summary>
public static class DashboardPages
{
    public const string AntiforgeryField = "__RequestVerificationToken";
    private static int _registered;

    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 1) return; // Hangfire's route table and menu are static
        DashboardRoutes.Routes.AddRazorPage("/sseg/run", _ => new RunFormPage());
        DashboardRoutes.Routes.AddRazorPage("/sseg/runs", _ => new RunsPage());
        DashboardRoutes.Routes.AddRazorPage("/sseg/runs/(?<id>[A-Za-z0-9\\-]+)", m => new RunPage(m.Groups["id"].Value));
        DashboardRoutes.Routes.AddRazorPage("/sseg/schedules", _ => new SchedulesPage());
        DashboardRoutes.Routes.AddRazorPage("/sseg/datasets", _ => new DatasetsPage());
        DashboardRoutes.Routes.AddRazorPage("/sseg/datasets/(?<name>[A-Za-z0-9._\\-]+)", m => new DatasetPage(m.Groups["name"].Value));
        DashboardRoutes.Routes.AddRazorPage("/sseg/datasets/(?<name>[A-Za-z0-9._\\-]+)/sql", m => new DatasetSqlPage(m.Groups["name"].Value));
        DashboardRoutes.Routes.AddRazorPage("/sseg/datasets/(?<name>[A-Za-z0-9._\\-]+)/failures", m => new FailuresPage(m.Groups["name"].Value));
        DashboardRoutes.Routes.Add("/sseg/datasets/(?<name>[A-Za-z0-9._\\-]+)/thumb", new ThumbnailDispatcher());
        DashboardRoutes.Routes.AddRazorPage("/sseg/hosts", _ => new HostsPage());
        DashboardRoutes.Routes.Add("/sseg/plot", new PlotDispatcher());
        Menu("Run", "/sseg/run", exact: true);
        Menu("Pipeline runs", "/sseg/runs", exact: false);
        Menu("Schedules", "/sseg/schedules", exact: false);
        Menu("Datasets", "/sseg/datasets", exact: false);
        Menu("Hosts", "/sseg/hosts", exact: true);
    }

    private static void Menu(string text, string path, bool exact) =>
        NavigationMenu.Items.Add(page => new MenuItem(text, page.Url.To(path))
        {
            Active = exact ? page.RequestPath == path : page.RequestPath.StartsWith(path, StringComparison.Ordinal),
        });
}
