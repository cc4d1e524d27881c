package org.rnn4j.cuda;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.rnn4j.backend.BackendException;
import org.rnn4j.spi.Availability;

/**
 * Whether the CUDA backend can run here, found out once per process ({@link #state()}): JCuda's native
 * library loads (which needs the NVIDIA driver's {@code libcuda.so.1}), {@code cuInit} succeeds, a device
 * is visible, the kernel image has code for its compute capability, and the driver loads that code.
 * Each failure becomes an {@link Availability} whose reason says which step failed, with the driver's or
 * loader's own message, and what to do. Nothing here throws.
 */
final class CudaRuntime {
    /** The JCuda release this module is built against. */
    static final String JCUDA_VERSION = "12.0.0";
    /** The one JCuda native library the backend uses (the driver API), as a class-path resource. */
    static final String DRIVER_LIBRARY = "libJCudaDriver-" + JCUDA_VERSION + "-linux-x86_64.so";
    static final String DRIVER_LIBRARY_RESOURCE = "/lib/" + DRIVER_LIBRARY;

    private static final Pattern CANNOT_OPEN = Pattern.compile("([\\w.+-]+\\.so[\\w.]*): cannot open shared object file: ?([^\\n\\r]*)");

    /**
     * What the probe found.
     *
     * @param availability  the verdict
     * @param driverVersion {@code cuDriverGetVersion} (e.g. 13000), or 0 when unknown
     * @param device        the device's properties, or null when none was reached
     * @param code          which code of the kernel image the device runs, or null
     */
    record State(Availability availability, int driverVersion, JCudaDevice.Properties device, String code) {
        static State unavailable(String reason, int driverVersion, JCudaDevice.Properties device, String code) {
            return new State(Availability.no(reason), driverVersion, device, code);
        }
    }

    /** A probe step that may fail in any way. */
    interface Attempt {
        State run() throws Exception;
    }

    private static volatile State state;

    private CudaRuntime() {
    }

    /** The cached probe of this process. */
    static State state() {
        State s = state;
        if (s == null) {
            synchronized (CudaRuntime.class) {
                s = state;
                if (s == null) {
                    s = probe(CudaRuntime::probeDriver);
                    state = s;
                }
            }
        }
        return s;
    }

    static Availability availability() {
        return state().availability();
    }

    /** Runs {@code attempt}, turning every failure (exceptions and linkage errors) into an unavailable state with its reason. */
    static State probe(Attempt attempt) {
        try {
            return attempt.run();
        } catch (Exception | LinkageError e) {
            return State.unavailable(reason(e), 0, null, null);
        }
    }

    /** The ordinal of the device to use: system property {@value CudaBackendProvider#DEVICE_PROPERTY}, default 0. */
    static int deviceOrdinal() {
        String p = System.getProperty(CudaBackendProvider.DEVICE_PROPERTY, "0").trim();
        try {
            int d = Integer.parseInt(p);
            if (d < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + CudaBackendProvider.DEVICE_PROPERTY + "=" + p + " is not a device ordinal (0, 1, ...)");
        }
    }

    private static State probeDriver() {
        KernelImage image = KernelImage.load();
        if (CudaRuntime.class.getResource(DRIVER_LIBRARY_RESOURCE) == null) {
            return State.unavailable("JCuda's native library " + DRIVER_LIBRARY + " is not on the class path (resource " + DRIVER_LIBRARY_RESOURCE
                    + "); the rnn-backend-cuda jar ships it for linux-x86_64 only", 0, null, null);
        }
        int r = JCudaDriver.cuInit(0); // loads libJCudaDriver, which loads libcuda.so.1
        if (r != CUresult.CUDA_SUCCESS) {
            return State.unavailable("cuInit failed: " + CUresult.stringFor(r) + explain(r), 0, null, null);
        }
        int[] v = new int[1];
        JCudaDevice.check(JCudaDriver.cuDriverGetVersion(v), "cuDriverGetVersion");
        int driver = v[0];
        int[] count = new int[1];
        JCudaDevice.check(JCudaDriver.cuDeviceGetCount(count), "cuDeviceGetCount");
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        if (count[0] == 0) {
            return State.unavailable("cuInit succeeded (driver " + driverString(driver) + ") but no CUDA device is visible"
                    + (visible == null ? "" : " (CUDA_VISIBLE_DEVICES=" + visible + ")"), driver, null, null);
        }
        int ordinal = deviceOrdinal();
        if (ordinal >= count[0]) {
            return State.unavailable("-D" + CudaBackendProvider.DEVICE_PROPERTY + "=" + ordinal + " but only " + count[0] + " CUDA device(s) are visible",
                    driver, null, null);
        }
        JCudaDevice.Properties p = JCudaDevice.query(ordinal);
        String code = image.codeFor(p.major(), p.minor());
        if (code == null) {
            return State.unavailable(p.name() + " has compute capability " + p.major() + "." + p.minor() + ", older than every code in "
                    + image.describe() + "; rnn4j's CUDA backend needs compute capability 8.0 (Ampere) or newer", driver, p, null);
        }
        try {
            JCudaDevice.open(p, code).close();
        } catch (BackendException e) {
            String why = e.getMessage();
            if (driver < image.driverMinimum()) {
                why += "; the driver supports " + driverString(driver) + " but the kernels were compiled with CUDA " + image.cudaRelease()
                        + " and need a driver for CUDA " + image.cudaRelease() + " or newer: update the NVIDIA driver";
            }
            return State.unavailable(why, driver, p, code);
        }
        return new State(Availability.yes(), driver, p, code);
    }

    /** {@code CUDA 13.0 (driver API 13000)}. */
    static String driverString(int version) {
        return String.format(Locale.ROOT, "CUDA %d.%d (driver API %d)", version / 1000, version % 1000 / 10, version);
    }

    private static String explain(int result) {
        if (result == CUresult.CUDA_ERROR_NO_DEVICE) {
            return " (the driver found no CUDA-capable device)";
        }
        if (result == CUresult.CUDA_ERROR_SYSTEM_DRIVER_MISMATCH) {
            return " (the kernel module and the user-space driver are of different versions; reboot or reinstall the driver)";
        }
        return "";
    }

    /** What went wrong, from an exception or linkage error of the probe (separate so that it can be tested). */
    static String reason(Throwable t) {
        String all = messages(t);
        Matcher m = CANNOT_OPEN.matcher(all);
        if (m.find()) {
            String lib = m.group(1);
            String detail = "cannot open shared object file" + (m.group(2).isBlank() ? "" : ": " + m.group(2).trim());
            if (lib.startsWith("libcuda.so")) {
                return "cuInit failed: " + lib + " (the NVIDIA driver's CUDA library) cannot be loaded (" + detail
                        + "): this machine has no NVIDIA driver, or it is not on the dynamic loader's path (check 'ldconfig -p | grep libcuda')";
            }
            return "JCuda's native library " + DRIVER_LIBRARY + " cannot be loaded: it needs " + lib + " (" + detail + ")";
        }
        if (t instanceof NoClassDefFoundError && all.contains("jcuda")) {
            return "JCuda (org.jcuda:jcuda " + JCUDA_VERSION + ") is not on the class path: " + firstLine(t.getMessage());
        }
        if (t instanceof UnsatisfiedLinkError) {
            return "JCuda's native library " + DRIVER_LIBRARY + " failed to load: " + firstLine(t.getMessage());
        }
        return "CUDA start-up failed: " + t.getClass().getSimpleName() + ": " + firstLine(t.getMessage());
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            sb.append(c).append('\n');
        }
        return sb.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "(no message)";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
