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
            sb.append(", ").append(env.getOrDefault("omp.threads", Nd4j.getEnvironment().maxThreads())).append(" OpenMP threads, ")
                    .append(env.getOrDefault("blas.threads", "?")).append(" BLAS threads");
        } catch (Throwable t) {
            sb.append("ND4J unavailable: ").append(t);
        }
        return sb.toString();
    }

    /** Sets ND4J's OpenMP and BLAS thread counts (0 keeps ND4J's defaults). */
    static void setThreads(int threads) {
        if (threads > 0) {
            Nd4j.getEnvironment().setMaxThreads(threads);
            Nd4j.getEnvironment().setMaxMasterThreads(threads);
            Nd4j.factory().blas().setMaxThreads(threads);
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
