package org.rnn4j.bench;

import java.io.InputStream;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/** What ND4J runs on (BLAS vendor, OpenBLAS core and threads) and how much off-heap memory JavaCPP holds. */
final class Nd4jInfo {
    private Nd4jInfo() {
    }

    /** The version in a jar's {@code META-INF/maven/GROUP/ARTIFACT/pom.properties}, or "?" */
    static String mavenVersion(String group, String artifact) {
        String res = "/META-INF/maven/" + group + "/" + artifact + "/pom.properties";
        try (InputStream in = Nd4jInfo.class.getResourceAsStream(res)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "?");
            }
        } catch (Exception e) {
            // fall through
        }
        return "?";
    }

    /**
     * ND4J's version and backend, BLAS vendor and library version, and thread counts, e.g.
     * {@code ND4J 1.0.0-M2.1 CpuBackend, BLAS OPENBLAS (OpenBLAS 0.3.19-1.5.7, core OPENBLAS_CORETYPE=SkylakeX), ...}.
     * Starts ND4J's native backend if it is not running. (OpenBLAS's runtime core name is not exposed
     * by JavaCPP's preset; the kernel follows {@code OPENBLAS_CORETYPE} when set, else autodetection.)
     */
    static String describe() {
        StringBuilder sb = new StringBuilder();
        try {
            Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
            sb.append("ND4J ").append(mavenVersion("org.nd4j", "nd4j-api")).append(' ').append(Nd4j.getBackend().getClass().getSimpleName());
            Object vendor = env.getOrDefault("blas.vendor", "?");
            sb.append(", BLAS ").append(vendor);
            if ("OPENBLAS".equals(String.valueOf(vendor))) {
                String core = System.getenv(Environment.CORETYPE);
                sb.append(" (OpenBLAS ").append(mavenVersion("org.bytedeco", "openblas")).append(", core ")
                        .append(core == null || core.isBlank() ? "autodetected" : Environment.CORETYPE + "=" + core).append(')');
            }
            sb.append(", ").append(Threads.current());
        } catch (Throwable t) {
            sb.append("ND4J unavailable: ").append(t);
        }
        return sb.toString();
    }

    /**
     * ND4J's process-wide thread settings: libnd4j's OpenMP threads, its master threads, OpenBLAS's threads.
     * (In 1.0.0-M2.1 {@code Environment.setMaxThreads} changes nothing; the OpenMP count is set through
     * {@code NativeOps.setOmpNumThreads}.)
     */
    record Threads(int omp, int master, int blas) {
        private static org.nd4j.nativeblas.NativeOps ops() {
            return org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps();
        }

        /** The settings now. */
        static Threads current() {
            return new Threads(ops().ompGetMaxThreads(), Nd4j.getEnvironment().maxMasterThreads(), Nd4j.factory().blas().getMaxThreads());
        }

        /** All three set to {@code n}: what DL4J runs with by default on {@code n} cores. */
        static Threads all(int n) {
            return new Threads(n, n, n);
        }

        /** Makes these the settings (they are process-wide: the nd4j backend shares them). */
        void apply() {
            ops().setOmpNumThreads(omp);
            Nd4j.getEnvironment().setMaxThreads(omp);
            Nd4j.getEnvironment().setMaxMasterThreads(master);
            Nd4j.factory().blas().setMaxThreads(blas);
        }

        @Override
        public String toString() {
            return omp + " OpenMP threads, " + blas + " BLAS threads";
        }
    }

    /** Off-heap bytes JavaCPP has allocated and not yet freed (ND4J's buffers), or 0 when not loaded. */
    static long javacppBytes() {
        try {
            return org.bytedeco.javacpp.Pointer.totalBytes();
        } catch (Throwable t) {
            return 0;
        }
    }
}
