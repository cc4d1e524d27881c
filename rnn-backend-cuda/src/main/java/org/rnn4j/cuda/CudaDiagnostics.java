package org.rnn4j.cuda;

import org.rnn4j.backend.Backends;
import org.rnn4j.spi.Availability;
import org.rnn4j.tensor.Backend;

/**
 * What the CUDA backend runs on, or why it cannot run here. Run
 * {@code java -cp ... org.rnn4j.cuda.CudaDiagnostics} to print {@link #describe()}.
 */
public final class CudaDiagnostics {
    private CudaDiagnostics() {
    }

    /**
     * A multi-line report: JCuda and its native library, the kernel image, the availability (with the
     * reason when unavailable), the driver version, the device and its compute capability, which code of
     * the image it runs, the matrix-product mode, and the memory counters of the running backend. Never throws.
     */
    public static String describe() {
        StringBuilder sb = new StringBuilder("rnn4j cuda backend\n");
        CudaBackendProvider provider = new CudaBackendProvider();
        sb.append("  version: ").append(provider.version()).append('\n');
        sb.append("  JCuda ").append(CudaRuntime.JCUDA_VERSION).append(", driver API only; native library ").append(CudaRuntime.DRIVER_LIBRARY)
                .append(CudaDiagnostics.class.getResource(CudaRuntime.DRIVER_LIBRARY_RESOURCE) == null ? " (MISSING from the class path)" : "")
                .append('\n');
        try {
            KernelImage image = KernelImage.load();
            sb.append("  kernels: ").append(image.describe()).append(", needs a driver for CUDA ").append(image.cudaRelease())
                    .append(" or newer\n");
        } catch (RuntimeException e) {
            sb.append("  kernels: unreadable: ").append(e.getMessage()).append('\n');
        }
        CudaRuntime.State s = CudaRuntime.state();
        Availability a = s.availability();
        sb.append("  availability: ").append(a).append('\n');
        if (s.driverVersion() > 0) {
            sb.append("  driver: ").append(CudaRuntime.driverString(s.driverVersion())).append('\n');
        }
        if (s.device() != null) {
            sb.append("  device: ").append(s.device().describe()).append('\n');
            sb.append("  code loaded: ").append(s.code() == null ? "none (no code in the image fits this device)" : s.code()).append('\n');
        }
        if (!a.available()) {
            return sb.toString();
        }
        sb.append("  matrix products: ").append(CudaBackendProvider.tf32Requested()
                ? "float32 on TF32 tensor cores (" + CudaBackendProvider.TF32_PROPERTY + "=true)"
                : "tiled FP32/FP64 on CUDA cores (TF32 tensor cores: off; -D" + CudaBackendProvider.TF32_PROPERTY + "=true)").append('\n');
        sb.append("  small batches (B <= 8): ").append("false".equalsIgnoreCase(System.getProperty(CudaBackendProvider.PERSISTENT_PROPERTY, "true").trim())
                ? "step by step (-D" + CudaBackendProvider.PERSISTENT_PROPERTY + "=false)"
                : "one persistent cooperative kernel per sequence where it fits").append('\n');
        try {
            Backend b = Backends.get(CudaBackend.NAME);
            if (b instanceof CudaBackend cb) {
                sb.append("  memory: ").append(cb.memoryStats().summary()).append('\n');
            }
        } catch (RuntimeException e) {
            sb.append("  backend failed to start: ").append(e.getMessage()).append('\n');
        }
        return sb.toString();
    }

    /** Prints {@link #describe()}. */
    public static void main(String[] args) {
        System.out.print(describe());
    }
}
