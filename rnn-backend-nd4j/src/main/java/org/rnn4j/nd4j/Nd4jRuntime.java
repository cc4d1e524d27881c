package org.rnn4j.nd4j;

import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.rnn4j.spi.Availability;
import org.rnn4j.backend.BackendException;

/**
 * ND4J's native start-up, done once per process and cached: whether {@code nd4j-native} loads here (and
 * if not, the loader's reason), the versions for diagnostics, and the process-wide settings.
 *
 * <p>Nothing in this class touches an ND4J class before {@link #availability()} is called, so that a
 * missing or broken ND4J installation is reported as an unavailable backend, never as an error while
 * providers are being discovered.
 */
final class Nd4jRuntime {
    /** The nd4j-native classifier this module ships with. */
    static final String PLATFORM = "linux-x86_64";

    private static volatile Availability availability;
    private static volatile String blasVendor;

    private Nd4jRuntime() {
    }

    /** Whether ND4J's native backend loads here; the first call loads it (seconds), later calls are free. */
    static Availability availability() {
        Availability a = availability;
        if (a == null) {
            synchronized (Nd4jRuntime.class) {
                a = availability;
                if (a == null) {
                    a = probe(Nd4jRuntime::load);
                    availability = a;
                }
            }
        }
        return a;
    }

    /** Throws a {@link BackendException} with the reason when ND4J cannot run here. */
    static void requireAvailable() {
        Availability a = availability();
        if (!a.available()) {
            throw new BackendException("Backend 'nd4j' is unavailable: " + a.reason());
        }
    }

    /**
     * Runs {@code loader}, turning anything it throws (UnsatisfiedLinkError, ExceptionInInitializerError,
     * NoClassDefFoundError, ND4J's NoAvailableBackendException...) into an unavailable result whose
     * reason carries the loader's own message.
     */
    static Availability probe(Callable<?> loader) {
        try {
            loader.call();
            return Availability.yes();
        } catch (Throwable t) { // NOPMD: native loading fails with Errors, all of which mean "unavailable"
            return Availability.no(reason(t));
        }
    }

    /** The failure and its causes, most specific last, with a hint on how to fix it. */
    static String reason(Throwable t) {
        StringBuilder sb = new StringBuilder("ND4J's native backend (nd4j-native) failed to load: ");
        Throwable cur = t;
        int depth = 0;
        while (cur != null && depth < 6) {
            if (depth > 0) {
                sb.append(" <- caused by ");
            }
            sb.append(cur.getClass().getName());
            if (cur.getMessage() != null) {
                sb.append(": ").append(cur.getMessage());
            }
            cur = cur.getCause() == cur ? null : cur.getCause();
            depth++;
        }
        String os = System.getProperty("os.name", "?") + "/" + System.getProperty("os.arch", "?");
        while (sb.charAt(sb.length() - 1) == '.') {
            sb.setLength(sb.length() - 1);
        }
        sb.append(". Needs org.nd4j:nd4j-native:").append(nd4jVersion()).append(" with classifier ").append(PLATFORM)
                .append(" (plus javacpp and openblas for ").append(PLATFORM).append(") on the class path; this machine is ").append(os);
        return sb.toString();
    }

    /** Loads ND4J's native backend and runs one op. */
    private static Object load() {
        quietLogging();
        org.nd4j.linalg.factory.Nd4jBackend backend = org.nd4j.linalg.factory.Nd4j.getBackend();
        org.nd4j.linalg.api.ndarray.INDArray probe = org.nd4j.linalg.factory.Nd4j.ones(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2);
        double sum = probe.sumNumber().doubleValue();
        if (sum != 2.0) {
            throw new IllegalStateException("ND4J self-test failed: sum of [1, 1] = " + sum);
        }
        try {
            blasVendor = String.valueOf(org.nd4j.linalg.factory.Nd4j.factory().blas().getBlasVendor());
        } catch (RuntimeException e) {
            blasVendor = "unknown";
        }
        return backend;
    }

    /**
     * Defaults applied before ND4J starts, each only when the user has not set the property:
     * <ul>
     *   <li>quiet start-up: no environment dump ({@code org.nd4j.log.initialization=false}) and no class-path
     *       version scan ({@code org.nd4j.versioncheck=false});</li>
     *   <li>{@code org.bytedeco.javacpp.maxphysicalbytes=0}: javacpp otherwise reads the process's resident size
     *       on every native allocation (a sixth of the time of a small ND4J op). Off-heap growth stays bounded by
     *       javacpp's {@code maxbytes} limit (default: the maximum heap size), past which it runs the GC that
     *       frees unreachable arrays.</li>
     * </ul>
     */
    static void quietLogging() {
        setIfAbsent("org.nd4j.log.initialization", "false");
        setIfAbsent("org.nd4j.versioncheck", "false");
        setIfAbsent("org.bytedeco.javacpp.maxphysicalbytes", "0");
    }

    private static void setIfAbsent(String key, String value) {
        try {
            if (System.getProperty(key) == null) {
                System.setProperty(key, value);
            }
        } catch (SecurityException ignored) {
            // keep ND4J's default
        }
    }

    /** ND4J's version from the nd4j-api jar, without loading ND4J. */
    static String nd4jVersion() {
        try (InputStream in = Nd4jRuntime.class.getResourceAsStream("/META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "unknown");
            }
        } catch (Exception ignored) {
            // fall through
        }
        return "unknown";
    }

    /** The BLAS library ND4J uses (e.g. OPENBLAS), or null before ND4J was loaded. */
    static String blasVendor() {
        return blasVendor;
    }

    /**
     * Which build of libnd4j runs and why, and how the sequence kernels run: the choice of issue 13,
     * measured on a 2-core AVX-512 Xeon (README, "ND4J backend"). The {@code -avx512}, {@code -avx2} and
     * {@code -onednn} classifiers of nd4j-native ran these per-op kernels no faster than the generic
     * build (within the noise of a machine shared with other jobs) and each adds 80-100 MB to a jar;
     * libnd4j's {@code lstmLayer} op (much faster in its oneDNN build for inference) needs the raw input
     * and {@code W_ih}, while a sequence kernel receives the input projection {@code x W_ih^T}.
     */
    static final String CHOICE = "generic build (its -avx512, -avx2, -onednn builds were no faster here); sequence kernels on per-op calls "
            + "(libnd4j's lstmLayer takes x and W_ih, a sequence kernel gets x W_ih^T)";

    /**
     * {@code nd4j-native NAME linux-x86_64, BLAS VENDOR (OpenBLAS core CORE); }{@link #CHOICE}; loads ND4J
     * (cached) so that the BLAS can be named.
     */
    static String version() {
        StringBuilder sb = new StringBuilder("nd4j-native ").append(nd4jVersion()).append(' ').append(PLATFORM);
        if (availability().available()) {
            sb.append(", BLAS ").append(blasVendor);
            String core = OpenBlasInfo.coreName();
            if (core != null) {
                sb.append(" (core ").append(core).append(')');
            }
        }
        return sb.append("; ").append(CHOICE).toString();
    }

    /** System property: libnd4j's own (OpenMP) thread count for elementwise ops, reductions and broadcasts. */
    static final String OPS_THREADS_PROPERTY = "rnn4j.nd4j.opsThreads";

    /**
     * Applies the thread settings (process-wide, as ND4J keeps them): BLAS threads = {@code threads} when
     * positive (else ND4J's default, one per core); libnd4j's OpenMP threads for the elementwise ops =
     * {@value #OPS_THREADS_PROPERTY}, else {@code OMP_NUM_THREADS} when the user set it, else 1.
     *
     * <p>Why 1: the arrays of a recurrent step are small (tens of thousands of elements), so splitting an
     * elementwise op over threads gains microseconds, while libnd4j's OpenMP threads spin beside OpenBLAS's
     * own threads. Measured on the 2-core machine of this release while other processes kept it busy: a
     * broadcast bias add of [32, 1024] took 1.9 ms with 2 OpenMP threads and 0.14 ms with 1, a 1024^3 product
     * ran at half speed beside libnd4j's spinning threads, and the memory soak test ran 6x faster.
     */
    static void configureThreads(int threads) {
        org.nd4j.linalg.factory.Environment env = org.nd4j.linalg.factory.Nd4j.getEnvironment();
        int ops = 1;
        String prop = System.getProperty(OPS_THREADS_PROPERTY);
        String omp = System.getenv("OMP_NUM_THREADS");
        try {
            if (prop != null && !prop.isBlank()) {
                ops = Integer.parseInt(prop.trim());
            } else if (omp != null && !omp.isBlank()) {
                ops = Integer.parseInt(omp.trim());
            }
        } catch (NumberFormatException e) {
            ops = 1;
        }
        ops = Math.max(1, ops);
        env.setMaxThreads(ops);
        env.setMaxMasterThreads(ops);
        setOmpThreads(ops);
        if (threads > 0) {
            org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(threads);
        }
    }

    /**
     * Environment.setMaxThreads alone does not reach libnd4j's OpenMP pool in 1.0.0-M2.1; NativeOps does.
     * NativeOpsHolder lives in nd4j-native (a run-time dependency), hence the reflection.
     */
    private static void setOmpThreads(int threads) {
        try {
            Object holder = Class.forName("org.nd4j.nativeblas.NativeOpsHolder").getMethod("getInstance").invoke(null);
            Object ops = holder.getClass().getMethod("getDeviceNativeOps").invoke(holder);
            ops.getClass().getMethod("setOmpNumThreads", int.class).invoke(ops, threads);
        } catch (ReflectiveOperationException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Nd4jRuntime.class).warn("Could not set libnd4j's OpenMP threads to {}: {}", threads, e.toString());
        }
    }
}
