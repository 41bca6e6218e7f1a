using Microsoft.Playwright;

namespace SSeg.Pipelines.Tests;

/// <summary>Checks that images on a page decoded in the browser.</summary>
public static class BrowserImages
{
    /// <summary>
    /// Scrolls each image into view (the dashboard loads them lazily), waits until the browser has finished with it,
    /// then requires a decoded width: a broken image is also "complete", with width 0.
    /// </summary>
    public static async Task AssertAllDecodedAsync(ILocator images, string failure)
    {
        foreach (var image in await images.AllAsync())
        {
            await image.ScrollIntoViewIfNeededAsync();
            await Assertions.Expect(image).ToHaveJSPropertyAsync("complete", true);
            Assert.True(await image.EvaluateAsync<int>("i => i.naturalWidth") > 0, failure);
        }
    }
}
