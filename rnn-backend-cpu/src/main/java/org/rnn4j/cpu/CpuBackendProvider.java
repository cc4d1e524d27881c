package org.rnn4j.cpu;

import com.google.auto.service.AutoService;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import org.rnn4j.spi.Availability;
import org.rnn4j.tensor.Backend;
import org.rnn4j.tensor.BackendOptions;
import org.rnn4j.spi.BackendProvider;

/**
 * Registers the {@link CpuBackend} with {@link org.rnn4j.backend.Backends}: name {@code cpu}, priority
 * {@value #PRIORITY} (the fallback that native backends outrank), always available.
 */
@AutoService(BackendProvider.class)
public final class CpuBackendProvider implements BackendProvider {
    /** Priority of the CPU backend: low, so that any available native backend wins by default. */
    public static final int PRIORITY = 10;

    /**
     * The module version: the jar manifest's {@code Implementation-Version}, else the version Maven
     * wrote into {@code version.properties} (class-folder runs), followed by {@code " (pure Java; "}, the
     * matrix-product kernel that runs ({@link Gemm#engine()}: the vector API's or plain loops, and why) and
     * {@code ")"}.
     */
    static String describeVersion() {
        return MODULE_VERSION + " (pure Java; " + Gemm.engine() + ")";
    }

    private static final String MODULE_VERSION = moduleVersion();

    /** Used only when neither the manifest nor the resource names a version. */
    private static final String UNKNOWN_VERSION = "unknown";

    /** Cheap and never throws, as {@link BackendProvider} requires. */
    public CpuBackendProvider() {
    }

    @Override
    public String name() {
        return CpuBackend.NAME;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public String version() {
        return describeVersion();
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CpuBackend(options == null ? BackendOptions.defaults() : options);
    }

    private static String moduleVersion() {
        String v = CpuBackendProvider.class.getPackage().getImplementationVersion();
        if (v != null && !v.isBlank()) {
            return v;
        }
        try (InputStream in = CpuBackendProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                String fromResource = p.getProperty("version", "");
                // an unfiltered resource still holds the placeholder
                if (!fromResource.isBlank() && !fromResource.startsWith("${")) {
                    return fromResource;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through: a version string is diagnostics only
        }
        return UNKNOWN_VERSION;
    }
}
