package org.rnn4j.nd4j;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * What OpenBLAS (as loaded by ND4J) and the CPU say about themselves: the kernel OpenBLAS picked
 * ({@code openblas_get_corename}, read through JNA from the library ND4J loaded) and the CPU's vector
 * extensions ({@code /proc/cpuinfo}). Best effort: every method returns null or false when it cannot tell.
 */
final class OpenBlasInfo {
    private static volatile String coreName;
    private static volatile boolean coreNameRead;

    private static final int RTLD_LAZY = 0x1;
    private static final int RTLD_NOLOAD = 0x4;

    private OpenBlasInfo() {
    }

    /** The OpenBLAS core kernel in use (e.g. {@code Prescott}, {@code SkylakeX}), or null when unknown. */
    static String coreName() {
        if (!coreNameRead) {
            synchronized (OpenBlasInfo.class) {
                if (!coreNameRead) {
                    coreName = readCoreName();
                    coreNameRead = true;
                }
            }
        }
        return coreName;
    }

    private static String readCoreName() {
        String lib = libraryInUse();
        if (lib == null) {
            return null;
        }
        try {
            // RTLD_LAZY | RTLD_NOLOAD, without RTLD_GLOBAL: take a handle on the library already loaded and never
            // move it into the global symbol scope. JNA's default (RTLD_GLOBAL) would rebind OpenBLAS's lazily bound
            // internal symbols between ND4J's two OpenBLAS copies, after which OpenBLAS frees its buffers into the wrong
            // table ("BLAS : Bad memory unallocation!") and finally aborts.
            java.util.Map<String, Object> options = java.util.Map.of(com.sun.jna.Library.OPTION_OPEN_FLAGS, RTLD_LAZY | RTLD_NOLOAD);
            com.sun.jna.NativeLibrary nl = com.sun.jna.NativeLibrary.getInstance(lib, options);
            String name = nl.getFunction("openblas_get_corename").invokeString(new Object[0], false);
            return name == null || name.isBlank() ? null : name.trim();
        } catch (Throwable t) { // NOPMD: JNA missing or symbol absent: unknown
            return null;
        }
    }

    /**
     * The OpenBLAS library ND4J's products call: ND4J loads both {@code libopenblas_nolapack} (whose cblas
     * functions it hands to libnd4j) and {@code libopenblas} (a dependency of libnd4j); null when neither is loaded.
     */
    static String libraryInUse() {
        String lib = loadedLibrary("libopenblas_nolapack");
        return lib != null ? lib : loadedLibrary("libopenblas");
    }

    /** The path of a loaded shared library whose file name contains {@code part}, from /proc/self/maps. */
    static String loadedLibrary(String part) {
        Path maps = Paths.get("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(maps);
            for (String line : lines) {
                int slash = line.indexOf('/');
                if (slash < 0) {
                    continue;
                }
                String path = line.substring(slash).trim();
                String file = path.substring(path.lastIndexOf('/') + 1);
                if (file.contains(part) && file.contains(".so") && !file.startsWith("libjni")) {
                    return path;
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The CPU flags line of /proc/cpuinfo, lower case, or an empty string. */
    static String cpuFlags() {
        Path info = Paths.get("/proc/cpuinfo");
        try {
            if (Files.isReadable(info)) {
                for (String line : Files.readAllLines(info)) {
                    if (line.startsWith("flags")) {
                        return " " + line.substring(line.indexOf(':') + 1).trim().toLowerCase(Locale.ROOT) + " ";
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return "";
        }
        return "";
    }

    /** True when the CPU has the AVX-512 subsets OpenBLAS's SkylakeX kernels need. */
    static boolean cpuHasAvx512() {
        String f = cpuFlags();
        return f.contains(" avx512f ") && f.contains(" avx512bw ") && f.contains(" avx512dq ") && f.contains(" avx512vl ");
    }

    /** True when the CPU has AVX2 and FMA (OpenBLAS's Haswell kernels). */
    static boolean cpuHasAvx2() {
        String f = cpuFlags();
        return f.contains(" avx2 ") && f.contains(" fma ");
    }

    /**
     * The OPENBLAS_CORETYPE this CPU should use when OpenBLAS picked a weaker kernel than the CPU
     * supports, or null when the chosen kernel is fine or unknown.
     */
    static String betterCoreType(String core) {
        if (core == null) {
            return null;
        }
        String c = core.toLowerCase(Locale.ROOT);
        boolean avx512Kernel = c.contains("skylakex") || c.contains("cooperlake") || c.contains("sapphire") || c.contains("zen4");
        boolean avx2Kernel = avx512Kernel || c.contains("haswell") || c.contains("zen") || c.contains("skylake")
                || c.contains("broadwell") || c.contains("alderlake");
        if (cpuHasAvx512() && !avx512Kernel) {
            return "SkylakeX";
        }
        if (cpuHasAvx2() && !avx2Kernel) {
            return "Haswell";
        }
        return null;
    }
}
