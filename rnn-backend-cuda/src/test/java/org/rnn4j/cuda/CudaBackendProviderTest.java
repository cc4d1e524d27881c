package org.rnn4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.rnn4j.backend.BackendException;
import org.rnn4j.backend.Backends;
import org.rnn4j.spi.Availability;
import org.rnn4j.spi.BackendProvider;

/**
 * Registration and availability of the CUDA backend. On a machine without the NVIDIA driver (this
 * project's build machines) the provider loads, reports itself unavailable with the loader's reason, ranks
 * below cpu, and naming it is an error; where a usable GPU is present it outranks cpu and is the default.
 */
class CudaBackendProviderTest {
    private static final boolean DRIVER_PRESENT = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1"))
            || Files.exists(Path.of("/usr/lib64/libcuda.so.1")) || Files.exists(Path.of("/usr/lib/libcuda.so.1"));

    @Test
    void serviceLoaderFindsTheProviderWithoutLoadingNativeCode() {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            names.add(p.name());
        }
        assertTrue(names.contains("cuda"), "providers found: " + names);
        BackendProvider p = assertInstanceOf(CudaBackendProvider.class, Backends.providers().get("cuda"));
        String v = p.version();
        assertTrue(v.contains("JCuda 12.0.0 driver API") && v.contains("kernels CUDA 13.0 sm_80/sm_89/sm_90 + PTX"), v);
    }

    @Test
    void aUsableGpuOutranksCpu() {
        Availability a = new CudaBackendProvider().availability();
        Assumptions.assumeTrue(a.available(), () -> "no usable GPU here: " + a.reason());
        assertEquals(CudaBackendProvider.PRIORITY, new CudaBackendProvider().priority());
        assertTrue(new CudaBackendProvider().priority() > Backends.providers().get("cpu").priority());
        assertEquals("cuda", Backends.resolveName(null), "the GPU is the default where there is one");
        assertInstanceOf(CudaBackend.class, Backends.get("cuda"));
    }

    @Test
    void withoutTheDriverTheBackendIsUnavailableWithThePreciseReason() {
        Availability a = new CudaBackendProvider().availability();
        System.out.println("[cuda] availability here: " + a);
        Assumptions.assumeFalse(a.available(), "a usable GPU is present");
        if (!DRIVER_PRESENT) {
            assertTrue(a.reason().startsWith("cuInit failed: libcuda.so.1 (the NVIDIA driver's CUDA library) cannot be loaded"), a.reason());
            assertTrue(a.reason().contains("cannot open shared object file"), a.reason());
        }
        assertEquals(CudaBackendProvider.UNAVAILABLE_PRIORITY, new CudaBackendProvider().priority());
        assertTrue(new CudaBackendProvider().priority() < Backends.providers().get("cpu").priority(), "an unavailable GPU must not outrank cpu");
        assertEquals("cpu", Backends.resolveName(null), "selection falls through to cpu");
        BackendException e = assertThrows(BackendException.class, () -> Backends.get("cuda"));
        assertTrue(e.getMessage().contains("Backend 'cuda' (from argument) is installed but unavailable: " + a.reason()), e.getMessage());
        BackendException direct = assertThrows(BackendException.class, () -> new CudaBackendProvider().create(null));
        assertTrue(direct.getMessage().contains(a.reason()), direct.getMessage());
    }

    @Test
    void diagnosticsNameTheKernelsAndTheReason() {
        String d = CudaDiagnostics.describe();
        System.out.print(d);
        assertTrue(d.contains("JCuda 12.0.0, driver API only; native library libJCudaDriver-12.0.0-linux-x86_64.so\n"), d);
        assertTrue(d.contains("kernels: rnn4j_kernels.fatbin (nvcc 13.0"), d);
        assertTrue(d.contains("SASS sm_80, sm_89, sm_90; PTX compute_90"), d);
        Availability a = new CudaBackendProvider().availability();
        if (a.available()) {
            assertTrue(d.contains("availability: available") && d.contains("compute capability") && d.contains("code loaded: ")
                    && d.contains("driver: CUDA "), d);
        } else {
            assertTrue(d.contains("availability: unavailable: " + a.reason()), d);
        }
        assertTrue(Backends.diagnostics().contains("cuda"), Backends.diagnostics());
    }

    @Test
    void loaderAndDriverFailuresBecomeReasons() {
        String jcudaMessage = "Error while loading native library \"JCudaDriver-12.0.0-linux-x86_64\"\n"
                + "Stack trace from the attempt to load the library as a file:\n"
                + "java.lang.UnsatisfiedLinkError: no JCudaDriver-12.0.0-linux-x86_64 in java.library.path: /usr/java/packages/lib\n"
                + "Stack trace from the attempt to load the library as a resource:\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory\n";
        String r = CudaRuntime.reason(new UnsatisfiedLinkError(jcudaMessage));
        assertEquals("cuInit failed: libcuda.so.1 (the NVIDIA driver's CUDA library) cannot be loaded (cannot open shared object file: No such file or "
                + "directory): this machine has no NVIDIA driver, or it is not on the dynamic loader's path (check 'ldconfig -p | grep libcuda')", r);

        String other = CudaRuntime.reason(new UnsatisfiedLinkError("/tmp/libJCudaDriver-12.0.0-linux-x86_64.so: libstdc++.so.6: cannot open shared object file: No such file or directory"));
        assertTrue(other.startsWith("JCuda's native library libJCudaDriver-12.0.0-linux-x86_64.so cannot be loaded: it needs libstdc++.so.6"), other);

        String noJar = CudaRuntime.reason(new NoClassDefFoundError("jcuda/driver/JCudaDriver"));
        assertEquals("JCuda (org.jcuda:jcuda 12.0.0) is not on the class path: jcuda/driver/JCudaDriver", noJar);

        String symbol = CudaRuntime.reason(new UnsatisfiedLinkError("/tmp/libJCudaDriver-12.0.0-linux-x86_64.so: undefined symbol: cuMemAlloc_v2\nmore"));
        assertEquals("JCuda's native library libJCudaDriver-12.0.0-linux-x86_64.so failed to load: /tmp/libJCudaDriver-12.0.0-linux-x86_64.so: "
                + "undefined symbol: cuMemAlloc_v2", symbol);

        CudaRuntime.State s = CudaRuntime.probe(() -> {
            throw new BackendException("cuda: cuModuleLoadData(rnn4j_kernels.fatbin) failed: CUDA_ERROR_UNSUPPORTED_PTX_VERSION");
        });
        assertFalse(s.availability().available());
        assertTrue(s.availability().reason().contains("CUDA_ERROR_UNSUPPORTED_PTX_VERSION"), s.availability().reason());
        assertTrue(CudaRuntime.probe(() -> new CudaRuntime.State(Availability.yes(), 13000, null, "sm_90 SASS")).availability().available());
    }

    @Test
    void versionsAndSettingsReadAsDocumented() {
        assertEquals("CUDA 13.0 (driver API 13000)", CudaRuntime.driverString(13000));
        assertEquals("CUDA 12.4 (driver API 12040)", CudaRuntime.driverString(12040));
        String old = System.getProperty(CudaBackendProvider.DEVICE_PROPERTY);
        try {
            System.setProperty(CudaBackendProvider.DEVICE_PROPERTY, "x");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, CudaRuntime::deviceOrdinal);
            assertTrue(e.getMessage().contains("-Drnn4j.cuda.device=x"), e.getMessage());
            System.setProperty(CudaBackendProvider.DEVICE_PROPERTY, "1");
            assertEquals(1, CudaRuntime.deviceOrdinal());
        } finally {
            if (old == null) {
                System.clearProperty(CudaBackendProvider.DEVICE_PROPERTY);
            } else {
                System.setProperty(CudaBackendProvider.DEVICE_PROPERTY, old);
            }
        }
    }
}
