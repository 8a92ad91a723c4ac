using System;
using System.Runtime.InteropServices;

namespace InceptionDsl.Platform;

/// <summary>
/// The switches of libtorch's global context (<c>at::globalContext()</c>) that TorchSharp does not
/// expose: whether convolutions may use oneDNN (MKL-DNN) and NNPACK. Bound at run time to the
/// libtorch_cpu library TorchSharp has already loaded, by its exported C++ symbols (Itanium names on
/// Linux and macOS, MSVC names on Windows). Null from <see cref="TryOpen"/> when they cannot be found.
/// </summary>
public sealed class LibTorchContext
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContext();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlag(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlag(IntPtr context);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool Query();

    private readonly IntPtr _context;
    private readonly SetFlag _setMkldnn;
    private readonly GetFlag _getMkldnn;
    private readonly SetFlag _setNnpack;
    private readonly Query? _nnpackAvailable;

    private LibTorchContext(IntPtr context, SetFlag setMkldnn, GetFlag getMkldnn, SetFlag setNnpack, Query? nnpackAvailable)
    {
        _context = context;
        _setMkldnn = setMkldnn;
        _getMkldnn = getMkldnn;
        _setNnpack = setNnpack;
        _nnpackAvailable = nnpackAvailable;
    }

    /// <summary>Whether convolutions may use oneDNN (libtorch's <c>userEnabledMkldnn</c>).</summary>
    public bool OneDnnEnabled
    {
        get => _getMkldnn(_context);
        set => _setMkldnn(_context, value);
    }

    /// <summary>Lets or stops libtorch trying NNPACK (each failed try of it logs a warning).</summary>
    public void SetNnpackEnabled(bool value) => _setNnpack(_context, value);

    /// <summary>
    /// Whether NNPACK initialises on this CPU (<c>at::native::_nnpack_available</c>); libtorch logs one
    /// warning when it does not. Null when the symbol is missing.
    /// </summary>
    public bool? NnpackAvailable() => _nnpackAvailable?.Invoke();

    /// <summary>Binds the context of the libtorch_cpu already loaded in this process; null, with the reason, when it cannot.</summary>
    public static LibTorchContext? TryOpen(out string? failure)
    {
        failure = null;
        if (!TryFindLibrary(out var library))
        {
            failure = "libtorch_cpu is not loaded in this process";
            return null;
        }

        bool windows = OperatingSystem.IsWindows();
        var globalContext = Bind<GlobalContext>(library, windows ? "?globalContext@at@@YAAEAVContext@1@XZ" : "_ZN2at13globalContextEv");
        var setMkldnn = Bind<SetFlag>(library, windows ? "?setUserEnabledMkldnn@Context@at@@QEAAX_N@Z" : "_ZN2at7Context20setUserEnabledMkldnnEb");
        var getMkldnn = Bind<GetFlag>(library, windows ? "?userEnabledMkldnn@Context@at@@QEBA_NXZ" : "_ZNK2at7Context17userEnabledMkldnnEv");
        var setNnpack = Bind<SetFlag>(library, windows ? "?setUserEnabledNNPACK@Context@at@@QEAAX_N@Z" : "_ZN2at7Context20setUserEnabledNNPACKEb");
        var nnpackAvailable = Bind<Query>(library, windows ? "?_nnpack_available@native@at@@YA_NXZ" : "_ZN2at6native17_nnpack_availableEv");
        if (globalContext is null || setMkldnn is null || getMkldnn is null || setNnpack is null)
        {
            failure = "libtorch_cpu does not export at::globalContext and its MKL-DNN/NNPACK switches";
            return null;
        }

        return new LibTorchContext(globalContext(), setMkldnn, getMkldnn, setNnpack, nnpackAvailable);
    }

    private static T? Bind<T>(IntPtr library, string symbol) where T : Delegate =>
        NativeLibrary.TryGetExport(library, symbol, out var address) ? Marshal.GetDelegateForFunctionPointer<T>(address) : null;

    /// <summary>
    /// The libtorch_cpu TorchSharp loaded: on Linux asked with RTLD_NOLOAD, so this is the very
    /// instance in use and never a second copy; elsewhere by name, which the loader resolves to the
    /// loaded module.
    /// </summary>
    private static bool TryFindLibrary(out IntPtr library)
    {
        if (OperatingSystem.IsLinux())
        {
            library = DlOpenLoaded("libtorch_cpu.so");
            return library != IntPtr.Zero;
        }

        var name = OperatingSystem.IsWindows() ? "torch_cpu.dll" : "libtorch_cpu.dylib";
        return NativeLibrary.TryLoad(name, typeof(TorchSharp.torch).Assembly, null, out library);
    }

    private const int RtldNow = 2;
    private const int RtldNoLoad = 4;

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr DlOpen(string file, int mode);

    private static IntPtr DlOpenLoaded(string soname)
    {
        try
        {
            return DlOpen(soname, RtldNow | RtldNoLoad);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return IntPtr.Zero;
        }
    }
}
