package org.rnn4j.nd4j;

import java.util.Locale;
import org.rnn4j.spi.Availability;

/**
 * What the ND4J backend runs on, and whether its BLAS is as fast as this CPU allows.
 *
 * <p>OpenBLAS 0.3.19 as bundled with ND4J 1.0.0-M2.1 does not recognise recent Intel server CPUs
 * (Sapphire/Emerald Rapids) and falls back to its generic {@code Prescott} (SSE3) kernels: a 2048^3
 * float32 product then runs at about 30 GFLOP/s on two cores instead of about 135 with the AVX-512
 * kernels. The environment variable {@code OPENBLAS_CORETYPE=SkylakeX}, set before the JVM starts,
 * selects them. {@link #blasCheck()} detects the slow case (the kernel OpenBLAS reports, and a timed
 * product against the rate this CPU should reach) and says so.
 *
 * <p>Run {@code java -cp ... org.rnn4j.nd4j.Nd4jDiagnostics} to print {@link #describe()}.
 */
public final class Nd4jDiagnostics {
    /** The environment variable that overrides OpenBLAS's CPU detection. */
    public static final String CORETYPE_ENV = "OPENBLAS_CORETYPE";

    private Nd4jDiagnostics() {
    }

    /**
     * The outcome of {@link #blasCheck()}.
     *
     * @param gflops       measured float32 rate of a 512^3 product (best of several), GFLOP/s
     * @param expectedMin  the rate below which the BLAS counts as slow on this CPU with these threads
     * @param threads      BLAS threads
     * @param core         the OpenBLAS kernel in use, or null when unknown
     * @param coreTypeEnv  the value of {@value #CORETYPE_ENV}, or null when unset
     * @param slow         true when the BLAS is slower than this CPU allows
     * @param advice       what to do about it (empty when nothing)
     */
    public record BlasCheck(double gflops, double expectedMin, int threads, String core, String coreTypeEnv, boolean slow,
            String advice) {
        /** One line for logs and diagnostics. */
        public String summary() {
            return String.format(Locale.ROOT, "sgemm 512^3: %.1f GFLOP/s with %d BLAS thread(s), expected >= %.0f; OpenBLAS core %s%s -> %s%s",
                    gflops, threads, expectedMin, core == null ? "unknown" : core,
                    coreTypeEnv == null ? "" : " (" + CORETYPE_ENV + "=" + coreTypeEnv + ")", slow ? "SLOW" : "ok",
                    advice.isEmpty() ? "" : ": " + advice);
        }
    }

    /**
     * Times a 512^3 float32 product through ND4J and compares it with the rate this CPU should reach;
     * when slow because OpenBLAS picked a weaker kernel than the CPU supports, the advice names the
     * {@value #CORETYPE_ENV} value to set. Takes well under a second.
     *
     * @throws org.rnn4j.backend.BackendException when ND4J cannot load here
     */
    public static BlasCheck blasCheck() {
        Nd4jRuntime.requireAvailable();
        int n = 512;
        org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray b = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        org.nd4j.linalg.api.ndarray.INDArray c = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, n, n);
        double best = Double.MAX_VALUE;
        long deadline = System.nanoTime() + 400_000_000L;
        for (int i = 0; i < 12 && (i < 4 || System.nanoTime() < deadline); i++) {
            long t0 = System.nanoTime();
            org.nd4j.linalg.factory.Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i > 0) { // the first call warms up OpenBLAS's threads and buffers
                best = Math.min(best, s);
            }
        }
        a.close();
        b.close();
        c.close();
        double gflops = 2.0 * n * n * n / best / 1e9;
        int threads = Math.max(1, org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads());
        return judge(gflops, threads, OpenBlasInfo.coreName(), System.getenv(CORETYPE_ENV), OpenBlasInfo.betterCoreType(OpenBlasInfo.coreName()),
                OpenBlasInfo.cpuHasAvx512(), OpenBlasInfo.cpuHasAvx2());
    }

    /** The expected minimum per BLAS thread for a 512^3 float32 product on a CPU with these extensions. */
    static double expectedPerThread(boolean avx512, boolean avx2) {
        return avx512 ? 40 : avx2 ? 20 : 4;
    }

    /** The decision of {@link #blasCheck()} from its measurements (separate so that it can be tested). */
    static BlasCheck judge(double gflops, int threads, String core, String coreTypeEnv, String betterCore, boolean avx512, boolean avx2) {
        // threads beyond the first help less on a 512^3 product; count them at 3/4
        double expected = expectedPerThread(avx512, avx2) * (1 + 0.75 * (threads - 1));
        boolean slowRate = gflops < expected;
        boolean weakKernel = betterCore != null;
        String advice = "";
        boolean slow = slowRate || weakKernel;
        if (weakKernel) {
            advice = "OpenBLAS picked its '" + core + "' kernels but this CPU supports " + betterCore
                    + "'s; set the environment variable " + CORETYPE_ENV + "=" + betterCore
                    + " before starting the JVM (e.g. export " + CORETYPE_ENV + "=" + betterCore + ")";
        } else if (slowRate && core == null && (avx512 || avx2)) {
            String suggest = avx512 ? "SkylakeX" : "Haswell";
            advice = "the product is slower than this CPU allows; if OpenBLAS misdetected the CPU, set " + CORETYPE_ENV + "="
                    + suggest + " before starting the JVM; otherwise the machine may be busy";
        } else if (slowRate) {
            advice = "the product is slower than expected although OpenBLAS uses suitable kernels; the machine may be busy"
                    + " or the thread count too high for its cores";
        }
        return new BlasCheck(gflops, expected, threads, core, coreTypeEnv, slow, advice);
    }

    /**
     * A multi-line report: ND4J and BLAS versions, the OpenBLAS kernel and {@value #CORETYPE_ENV}, threads,
     * off-heap memory, and {@link #blasCheck()} with its advice. Loads ND4J; never throws.
     */
    public static String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("rnn4j nd4j backend\n");
        sb.append("  nd4j ").append(Nd4jRuntime.nd4jVersion()).append(" (nd4j-native ").append(Nd4jRuntime.PLATFORM).append(")\n");
        Availability a = Nd4jRuntime.availability();
        sb.append("  availability: ").append(a).append('\n');
        if (!a.available()) {
            return sb.toString();
        }
        try {
            sb.append("  version: ").append(Nd4jRuntime.version()).append('\n');
            String env = System.getenv(CORETYPE_ENV);
            sb.append("  OpenBLAS: ").append(OpenBlasInfo.libraryInUse()).append(", core ")
                    .append(OpenBlasInfo.coreName() == null ? "unknown" : OpenBlasInfo.coreName()).append(", ").append(CORETYPE_ENV)
                    .append('=').append(env == null ? "(unset)" : env).append('\n');
            sb.append("  CPU: AVX-512 ").append(OpenBlasInfo.cpuHasAvx512() ? "yes" : "no").append(", AVX2 ")
                    .append(OpenBlasInfo.cpuHasAvx2() ? "yes" : "no").append(", ").append(Runtime.getRuntime().availableProcessors())
                    .append(" cores\n");
            sb.append("  threads: libnd4j ops ").append(org.nd4j.linalg.factory.Nd4j.getEnvironment().maxMasterThreads()).append(", BLAS ")
                    .append(org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads()).append('\n');
            sb.append("  ").append(memory()).append('\n');
            BlasCheck check = blasCheck();
            sb.append("  BLAS check: ").append(check.summary()).append('\n');
        } catch (RuntimeException | LinkageError e) {
            sb.append("  diagnostics failed: ").append(e).append('\n');
        }
        return sb.toString();
    }

    /**
     * Memory as the process and this backend see it: resident size, bytes of tensors created so far, collections
     * forced by {@link Nd4jMemory}, and javacpp's count of live native pointers (every live ND4J array holds at
     * least one, so a leak shows up as a count that keeps growing).
     */
    public static String memory() {
        return String.format(Locale.ROOT, "memory: process resident %s, tensors allocated so far %s, collections forced %d"
                + " (threshold %s), live native pointers %d", mb(org.bytedeco.javacpp.Pointer.physicalBytes()),
                mb(Nd4jMemory.allocatedBytes()), Nd4jMemory.forcedCollections(), mb(Nd4jMemory.gcThreshold()),
                org.bytedeco.javacpp.Pointer.totalCount());
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    /** Prints {@link #describe()}. */
    public static void main(String[] args) {
        System.out.print(describe());
    }
}
