using System.Runtime.InteropServices;

namespace SSeg.Train.Data;

/// <summary>
/// JPEG decoding with libjpeg-turbo's TurboJPEG API (<c>libturbojpeg.so.0</c>; Debian: <c>apt-get install
/// libturbojpeg0</c>), loaded at run time. It is the library Pillow decodes with, called with Pillow's defaults (the
/// accurate integer IDCT, smooth chroma upsampling), so the loader's pixels are Pillow's; it is also about three times as
/// fast as ImageSharp's decoder, which took most of a training image's CPU time. Without the library the loader falls
/// back to ImageSharp (<see cref="TrainImageDecoder"/>), whose pixels differ by a level or two.
/// </summary>
internal static unsafe class TurboJpeg
{
    public const string LibraryName = "libturbojpeg.so.0";
    private const int PixelFormatRgb = 0;      // TJPF_RGB
    private const int ColorspaceCmyk = 3;      // TJCS_CMYK
    private const int ColorspaceYcck = 4;      // TJCS_YCCK
    private const int ErrorWarning = 0;        // TJERR_WARNING: the image was decoded, with a recoverable problem

    private static readonly Api? Functions = Api.Load();

    // One decompressor per thread: a handle is not thread-safe, and decode workers are long-lived pool threads.
    [ThreadStatic] private static nint _handle;

    /// <summary>True when libturbojpeg could be loaded.</summary>
    public static bool IsAvailable => Functions is not null;

    /// <summary>
    /// The decoded RGB pixels of <paramref name="jpeg"/>, or null when the library is missing or the image is CMYK/YCCK
    /// (which TurboJPEG does not turn into RGB). A JPEG it cannot decode raises <see cref="InvalidDataException"/>
    /// with libjpeg's message.
    /// </summary>
    public static RgbPixels? TryDecode(ReadOnlySpan<byte> jpeg)
    {
        if (Functions is not { } api) return null;
        var handle = _handle != 0 ? _handle : _handle = api.InitDecompress();
        if (handle == 0) throw new InvalidOperationException($"{LibraryName}: tjInitDecompress failed");
        fixed (byte* source = jpeg)
        {
            int width, height, subsampling, colorspace;
            if (api.DecompressHeader3(handle, source, (nuint)jpeg.Length, &width, &height, &subsampling, &colorspace) != 0)
                throw new InvalidDataException($"not a readable JPEG: {Message(api, handle)}");
            if (width < 1 || height < 1) throw new InvalidDataException($"not a readable JPEG: its header gives {width}×{height} pixels");
            if (colorspace is ColorspaceCmyk or ColorspaceYcck) return null;
            var pixels = RgbPixels.Rent(width, height);
            try
            {
                fixed (byte* destination = pixels.Bytes)
                {
                    if (api.Decompress2(handle, source, (nuint)jpeg.Length, destination, width, 3 * width, height, PixelFormatRgb, 0) != 0 &&
                        api.GetErrorCode(handle) != ErrorWarning)
                        throw new InvalidDataException($"JPEG decoding failed: {Message(api, handle)}");
                }
                return pixels;
            }
            catch
            {
                pixels.Dispose();
                throw;
            }
        }
    }

    private static string Message(Api api, nint handle) => Marshal.PtrToStringUTF8(api.GetErrorStr2(handle)) ?? "unknown error";

    private sealed class Api
    {
        public delegate* unmanaged<nint> InitDecompress;
        public delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int> DecompressHeader3;
        public delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int> Decompress2;
        public delegate* unmanaged<nint, nint> GetErrorStr2;
        public delegate* unmanaged<nint, int> GetErrorCode;

        public static Api? Load()
        {
            if (!NativeLibrary.TryLoad(LibraryName, typeof(TurboJpeg).Assembly, null, out var library)) return null;
            try
            {
                return new Api
                {
                    InitDecompress = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "tjInitDecompress"),
                    DecompressHeader3 = (delegate* unmanaged<nint, byte*, nuint, int*, int*, int*, int*, int>)NativeLibrary.GetExport(library, "tjDecompressHeader3"),
                    Decompress2 = (delegate* unmanaged<nint, byte*, nuint, byte*, int, int, int, int, int, int>)NativeLibrary.GetExport(library, "tjDecompress2"),
                    GetErrorStr2 = (delegate* unmanaged<nint, nint>)NativeLibrary.GetExport(library, "tjGetErrorStr2"),
                    GetErrorCode = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "tjGetErrorCode"),
                };
            }
            catch (EntryPointNotFoundException)
            {
                return null;   // a libturbojpeg older than 2.0
            }
        }
    }
}
