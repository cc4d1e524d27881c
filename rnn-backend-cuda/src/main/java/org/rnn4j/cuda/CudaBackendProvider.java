package org.rnn4j.cuda;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.rnn4j.backend.BackendException;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;

/**
 * Registers the {@link CudaBackend} ({@value CudaBackend#NAME}). The constructor and the class itself
 * touch nothing native; {@link #availability()} probes the driver once per process (see
 * {@link CudaRuntime}) and is cached. Priority {@value #PRIORITY} (above the cpu backend's 10) when a usable
 * GPU is present, {@value #UNAVAILABLE_PRIORITY} otherwise, so that the GPU wins by default where there is
 * one.
 *
 * <p>Settings: {@value #TF32_PROPERTY}{@code =true} (or {@code RNN4J_CUDA_TF32=true}) runs float32 matrix
 * products on TF32 tensor cores; {@value #PERSISTENT_PROPERTY}{@code =false} turns the persistent small-batch
 * sequence kernel off; {@value #DEVICE_PROPERTY}{@code =N} picks device N (default 0).
 */
@AutoService(BackendProvider.class)
public final class CudaBackendProvider implements BackendProvider {
    /** Priority when a usable GPU is present. */
    public static final int PRIORITY = 20;
    /** Priority when not: below the always-available cpu backend. */
    public static final int UNAVAILABLE_PRIORITY = 1;
    /** System property enabling TF32 tensor-core products for float32. */
    public static final String TF32_PROPERTY = "rnn4j.cuda.tf32";
    /** Environment variable enabling TF32 (after the system property). */
    public static final String TF32_ENV = "RNN4J_CUDA_TF32";
    /** System property ({@code false} to turn off) for the persistent small-batch sequence kernel; on by default. */
    public static final String PERSISTENT_PROPERTY = "rnn4j.cuda.persistent";
    /** System property naming the device ordinal. */
    public static final String DEVICE_PROPERTY = "rnn4j.cuda.device";

    /** Cheap and never throws, as {@link BackendProvider} requires. */
    public CudaBackendProvider() {
    }

    @Override
    public String name() {
        return CudaBackend.NAME;
    }

    @Override
    public int priority() {
        return availability().available() ? PRIORITY : UNAVAILABLE_PRIORITY;
    }

    /** The module version, JCuda's and the kernels' (read from resources; no native code is loaded). */
    @Override
    public String version() {
        String kernels;
        try {
            KernelImage image = KernelImage.load();
            kernels = "kernels CUDA " + image.cudaRelease() + " " + String.join("/", image.sass().stream().map(a -> "sm_" + a).toList()) + " + PTX";
        } catch (RuntimeException e) {
            kernels = "kernels unreadable: " + e.getMessage();
        }
        return moduleVersion() + " (JCuda " + CudaRuntime.JCUDA_VERSION + " driver API, " + kernels + ")";
    }

    @Override
    public Availability availability() {
        return CudaRuntime.availability();
    }

    /** Whether TF32 products are requested by {@value #TF32_PROPERTY} or {@value #TF32_ENV}. */
    static boolean tf32Requested() {
        String v = System.getProperty(TF32_PROPERTY);
        if (v == null) {
            v = System.getenv(TF32_ENV);
        }
        return v != null && (v.trim().equalsIgnoreCase("true") || v.trim().equals("1"));
    }

    /**
     * Opens the device and starts the backend.
     *
     * @throws BackendException with the availability reason when the backend cannot run here
     */
    @Override
    public Backend create(BackendOptions options) {
        CudaRuntime.State s = CudaRuntime.state();
        if (!s.availability().available()) {
            throw new BackendException("Backend 'cuda' is unavailable: " + s.availability().reason());
        }
        JCudaDevice device = JCudaDevice.open(s.device(), s.code());
        try {
            long free = device.memoryInfo()[0];
            long gcThreshold = Math.max(64L << 20, free / 2);
            boolean persistent = !"false".equalsIgnoreCase(System.getProperty(PERSISTENT_PROPERTY, "true").trim());
            return new CudaBackend(CudaBackend.NAME, version(), device, tf32Requested(), persistent, gcThreshold);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    private static String moduleVersion() {
        String v = CudaBackendProvider.class.getPackage().getImplementationVersion();
        if (v != null && !v.isBlank()) {
            return v;
        }
        try (InputStream in = CudaBackendProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String fromResource = p.getProperty("version", "");
                if (!fromResource.isBlank() && !fromResource.startsWith("${")) {
                    return fromResource;
                }
            }
        } catch (IOException | RuntimeException e) {
            // a version string is diagnostics only
        }
        return "unknown";
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "CudaBackendProvider[%s]", availability());
    }
}
